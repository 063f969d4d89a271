import ATSCore

/// What the user asked for on the command line. Parsing is strict: an unknown command or
/// flag is a usage error (exit 2), never silently ignored.
enum Command: Equatable {
    case help(topic: String?)
    case version
    case serve
}

struct UsageError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

enum CommandParser {
    static let commands: [(name: String, summary: String)] = [
        ("serve", "run the HTTP API server"),
    ]

    static func parse(_ arguments: [String]) throws(UsageError) -> Command {
        guard let first = arguments.first else { throw UsageError(message: "no command given") }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "-h", "--help", "help":
            guard rest.count <= 1 else { throw UsageError(message: "too many arguments for help") }
            if let topic = rest.first, !commands.contains(where: { $0.name == topic }) {
                throw UsageError(message: "unknown command '\(topic)'")
            }
            return .help(topic: rest.first)
        case "-V", "--version", "version":
            guard rest.isEmpty else { throw UsageError(message: "--version takes no arguments") }
            return .version
        case "serve":
            if rest == ["--help"] || rest == ["-h"] { return .help(topic: "serve") }
            if let unknown = rest.first { throw UsageError(message: "unknown option '\(unknown)' for serve") }
            return .serve
        default:
            if first.hasPrefix("-") { throw UsageError(message: "unknown option '\(first)'") }
            throw UsageError(message: "unknown command '\(first)'")
        }
    }

    static var usage: String {
        var text = """
        ats \(ATSVersion.string): a multi-tenant applicant tracking system backend

        Usage: ats COMMAND [OPTIONS]

        Commands:

        """
        for command in commands {
            text += "  " + command.name.padding(toLength: 10, withPad: " ", startingAt: 0) + command.summary + "\n"
        }
        text += """

        Options:
          -h, --help     show this help (ats COMMAND --help for a command)
          -V, --version  show the version and the linked libraries

        Configuration comes from the environment, then ./.env (the environment wins).
        See 'ats serve --help' for the variables.

        """
        return text
    }

    static func help(for topic: String) -> String {
        switch topic {
        case "serve":
            var text = """
            Usage: ats serve

            Runs the HTTP API server until SIGTERM or SIGINT, then finishes in-flight
            requests and exits 0 (within ATS_SHUTDOWN_TIMEOUT).

            Environment (or ./.env):

            """
            for variable in Configuration.variables {
                text += "  " + variable.name.padding(toLength: 22, withPad: " ", startingAt: 0) + variable.help + "\n"
            }
            return text
        default:
            return usage
        }
    }
}

private extension String {
    func padding(toLength length: Int, withPad pad: String, startingAt: Int) -> String {
        count >= length ? self + " " : self + String(repeating: pad, count: length - count)
    }
}
