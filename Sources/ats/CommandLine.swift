import ATSConfiguration
import ATSDomain
import ATSSupport

/// What the user asked for on the command line. Parsing is strict: an unknown command or
/// flag is a usage error (exit 2), never silently ignored.
enum Command: Equatable {
    case help(topic: String?)
    case version
    case serve
    case worker(concurrency: Int)
    case migrate(MigrateAction)
    case tenantCreate(slug: String, name: String)
    case tenantList
    case tenantExport(slug: String)
    case tenantDelete(slug: String, confirmation: String)
    case userCreate(tenant: String, email: String, role: Role, fullName: String?)
    case seed
    case openapi(format: APIDescriptionFormat)
}

/// What `ats openapi` prints.
enum APIDescriptionFormat: String, CaseIterable {
    case openapi, postman
}

enum MigrateAction: Equatable {
    case up(to: Int?)
    case down(steps: Int)
    case status
    case stamp(version: Int)
    case new(name: String)
    case embed
}

struct UsageError: Error, CustomStringConvertible {
    let message: String
    /// Whether the general usage follows the message (not for a bad value of a known flag:
    /// that error is one line).
    var showsUsage = true
    var description: String { message }
}

enum CommandParser {
    static let commands: [(name: String, summary: String)] = [
        ("serve", "run the HTTP API server"),
        ("worker", "deliver notifications from the Redis queue (with REDIS_URL)"),
        ("migrate", "apply, revert or inspect schema migrations"),
        ("tenant", "create or list tenants"),
        ("user", "create a user in a tenant"),
        ("seed", "add the sample jobs and a demo admin and recruiter to the default tenant"),
        ("openapi", "print the OpenAPI 3.1 document the server serves at /openapi.json (--format postman: a Postman collection)"),
    ]

    static func parse(_ arguments: [String]) throws(UsageError) -> Command {
        guard let first = arguments.first else { throw UsageError(message: "no command given") }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h"), commands.contains(where: { $0.name == first }) {
            return .help(topic: first)
        }
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
            if let unknown = rest.first { throw UsageError(message: "unknown option '\(unknown)' for serve") }
            return .serve
        case "worker":
            let usage = "usage: ats worker [--concurrency N] (N from 1 to 256)"
            guard rest.isEmpty || rest.count == 2 else { throw UsageError(message: usage) }
            guard let flag = rest.first else { return .worker(concurrency: 4) }
            guard flag == "--concurrency", let n = Int(rest[1]), (1...256).contains(n) else { throw UsageError(message: usage) }
            return .worker(concurrency: n)
        case "migrate":
            return .migrate(try parseMigrate(rest))
        case "tenant":
            return try parseTenant(rest)
        case "user":
            return try parseUser(rest)
        case "seed":
            if let unknown = rest.first { throw UsageError(message: "unknown option '\(unknown)' for seed") }
            return .seed
        case "openapi":
            return .openapi(format: try parseOpenAPIFormat(rest))
        default:
            if first.hasPrefix("-") { throw UsageError(message: "unknown option '\(first)'") }
            throw UsageError(message: "unknown command '\(first)'")
        }
    }

    /// `ats openapi [--format openapi|postman]` (also `--format=…`).
    private static func parseOpenAPIFormat(_ args: [String]) throws(UsageError) -> APIDescriptionFormat {
        guard let flag = args.first else { return .openapi }
        let value: String
        if flag.hasPrefix("--format="), args.count == 1 {
            value = String(flag.dropFirst("--format=".count))
        } else if flag == "--format", args.count == 2 {
            value = args[1]
        } else {
            throw UsageError(message: flag.hasPrefix("--format") ? "usage: ats openapi [--format openapi|postman]" : "unknown option '\(flag)' for openapi")
        }
        guard let format = APIDescriptionFormat(rawValue: value) else {
            let formats = APIDescriptionFormat.allCases.map(\.rawValue).joined(separator: " or ")
            throw UsageError(message: "unknown format '\(value)' for openapi (\(formats))", showsUsage: false)
        }
        return format
    }

    private static func parseMigrate(_ args: [String]) throws(UsageError) -> MigrateAction {
        guard let action = args.first else { throw UsageError(message: "migrate needs an action: up, down, status, stamp or new") }
        let rest = Array(args.dropFirst())
        switch action {
        case "up":
            if rest.isEmpty { return .up(to: nil) }
            guard rest.count == 2, rest[0] == "--to" else { throw UsageError(message: "usage: ats migrate up [--to VERSION]") }
            return .up(to: try version(rest[1]))
        case "down":
            if rest.isEmpty { return .down(steps: 1) }
            guard rest.count == 1, let steps = Int(rest[0]), steps >= 1 else { throw UsageError(message: "usage: ats migrate down [N], N ≥ 1") }
            return .down(steps: steps)
        case "status":
            guard rest.isEmpty else { throw UsageError(message: "usage: ats migrate status") }
            return .status
        case "stamp":
            guard rest.count == 1 else { throw UsageError(message: "usage: ats migrate stamp VERSION") }
            return .stamp(version: try version(rest[0], allowZero: true))
        case "new":
            guard rest.count == 1, isMigrationName(rest[0]) else {
                throw UsageError(message: "usage: ats migrate new NAME (NAME: lower-case letters, digits and _, e.g. add_job_tags)")
            }
            return .new(name: rest[0])
        case "embed":
            guard rest.isEmpty else { throw UsageError(message: "usage: ats migrate embed") }
            return .embed
        default:
            throw UsageError(message: "unknown migrate action '\(action)'")
        }
    }

    private static func version(_ text: String, allowZero: Bool = false) throws(UsageError) -> Int {
        guard let v = Int(text), v > 0 || (allowZero && v == 0) else { throw UsageError(message: "'\(text)' is not a migration version") }
        return v
    }

    private static func isMigrationName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 60 && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }

    private static func parseTenant(_ args: [String]) throws(UsageError) -> Command {
        switch args.first {
        case "list":
            guard args.count == 1 else { throw UsageError(message: "usage: ats tenant list") }
            return .tenantList
        case "export":
            guard args.count == 2 else { throw UsageError(message: "usage: ats tenant export SLUG") }
            return .tenantExport(slug: args[1])
        case "delete":
            guard args.count == 4, args[2] == "--confirm" else { throw UsageError(message: "usage: ats tenant delete SLUG --confirm SLUG") }
            return .tenantDelete(slug: args[1], confirmation: args[3])
        case "create":
            let usage = "usage: ats tenant create SLUG --name NAME"
            guard args.count == 4, args[2] == "--name", !args[3].isEmpty else { throw UsageError(message: usage) }
            guard Tenant.isValidSlug(args[1]) else {
                throw UsageError(message: "'\(args[1])' is not a tenant slug (2-63 of a-z, 0-9 and -, starting with a letter or digit)")
            }
            return .tenantCreate(slug: args[1], name: args[3])
        default:
            throw UsageError(message: "tenant needs an action: create, list, export or delete")
        }
    }

    private static func parseUser(_ args: [String]) throws(UsageError) -> Command {
        let usage = "usage: ats user create --tenant SLUG --email EMAIL --role candidate|recruiter|admin [--name FULL_NAME] (password on stdin or prompted)"
        guard args.first == "create" else { throw UsageError(message: usage) }
        var options: [String: String] = [:]
        var i = 1
        while i < args.count {
            let flag = args[i]
            guard ["--tenant", "--email", "--role", "--name"].contains(flag) else {
                if flag == "--password" { throw UsageError(message: "passwords are never taken as flags: pipe one on stdin, or type it at the prompt") }
                throw UsageError(message: "unknown option '\(flag)' for user create")
            }
            guard i + 1 < args.count, options[flag] == nil else { throw UsageError(message: usage) }
            options[flag] = args[i + 1]
            i += 2
        }
        guard let tenant = options["--tenant"], let email = options["--email"], let roleText = options["--role"] else { throw UsageError(message: usage) }
        guard let role = Role(rawValue: roleText) else { throw UsageError(message: "'\(roleText)' is not a role (candidate, recruiter or admin)") }
        return .userCreate(tenant: tenant, email: email, role: role, fullName: options["--name"])
    }

    static var usage: String {
        var text = """
        ats \(ATSVersion.string): a multi-tenant applicant tracking system backend

        Usage: ats COMMAND [OPTIONS]

        Commands:

        """
        for command in commands {
            text += "  " + command.name.padded(10) + command.summary + "\n"
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
            requests and exits 0 (within ATS_SHUTDOWN_TIMEOUT). On SQLite it applies
            pending migrations first; on PostgreSQL it refuses to start on a schema that
            is behind (run 'ats migrate up').

            Environment (or ./.env):

            """
            for variable in Configuration.variables {
                text += "  " + variable.name.padded(26) + variable.help + "\n"
            }
            return text
        case "worker":
            return """
            Usage: ats worker [--concurrency N]

            Delivers notifications through the Redis queue (REDIS_URL is required): relays
            due outbox rows to the stream 'ats:outbox' (one worker of the deployment at a
            time, under a Redis lock) and runs N consumers (default 4) in the consumer group
            'ats-workers', each delivering by SMTP_URL or to ATS_MAIL_DIR. Stops on SIGTERM
            or SIGINT after the deliveries in hand. With ATS_WORKER_PORT it answers /healthz
            and /metrics. See 'ats serve --help' for the variables.

            """
        case "migrate":
            return """
            Usage:
              ats migrate up [--to VERSION]   apply pending migrations (up to VERSION)
              ats migrate down [N]            revert the last N applied migrations (default 1)
              ats migrate status              list applied, pending and changed migrations
              ats migrate stamp VERSION       record migrations up to VERSION as applied, without running them
              ats migrate new NAME            create db/migrations/{sqlite,postgres}/NNNN_NAME.sql (run in the repository)
              ats migrate embed               regenerate Sources/ATSPersistence/Migrations/EmbeddedMigrations.swift

            The migrations are compiled into the binary. On PostgreSQL, migrate connects with
            DATABASE_OWNER_URL (else DATABASE_URL) and, after 'up', grants ATS_DB_APP_ROLE
            access to the tables.

            """
        case "tenant":
            return """
            Usage:
              ats tenant create SLUG --name NAME   create a tenant (SLUG: 2-63 of a-z, 0-9, -)
              ats tenant list                      list tenants
              ats tenant export SLUG               print all of a tenant's data as JSON (no password hashes)
              ats tenant delete SLUG --confirm SLUG
                                                   delete a tenant and all its data, in one transaction

            """
        case "user":
            return """
            Usage:
              ats user create --tenant SLUG --email EMAIL --role candidate|recruiter|admin [--name FULL_NAME]

            The password is read from standard input (one line), or prompted for without echo
            when standard input is a terminal. It is never accepted as a flag.

            """
        case "seed":
            return """
            Usage: ats seed

            Adds to the default tenant the three sample jobs (Backend Developer at TechCorp,
            Frontend Engineer at WebWorks, Data Analyst at DataPlus, all open) and a demo
            admin and recruiter, printing their generated passwords once. Running it again
            adds nothing that is already there.

            """
        case "openapi":
            return """
            Usage: ats openapi [--format openapi|postman]

            Prints the OpenAPI 3.1 document (the same bytes as GET /openapi.json), or with
            --format postman a Postman Collection v2.1 of the same operations: folders by tag,
            the variables baseUrl, tenant and token (bearer auth for the whole collection;
            the login request stores the token it receives).

            """
        default:
            return usage
        }
    }
}

extension String {
    func padded(_ length: Int) -> String {
        count >= length ? self + " " : self + String(repeating: " ", count: length - count)
    }
}
