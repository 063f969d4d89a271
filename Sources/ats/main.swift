import ATSAuth
import ATSCore
import ATSPostgres
import ATSSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Entry point: parse the command line, load the configuration, run the command.
/// Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
func main() -> Int32 {
    let command: Command
    do {
        command = try CommandParser.parse(Array(CommandLine.arguments.dropFirst()))
    } catch {
        writeStandardError("ats: \(error)\n\n" + CommandParser.usage)
        return 2
    }
    switch command {
    case .help(let topic):
        print(topic.map(CommandParser.help(for:)) ?? CommandParser.usage, terminator: "")
        return 0
    case .version:
        print("ats \(ATSVersion.string) (libpq \(PostgresLibrary.version), sqlite \(SQLiteLibrary.version), libsodium \(Sodium.version))")
        return 0
    case .serve:
        let config: Configuration
        do {
            config = try ProcessEnvironment.loadConfiguration()
        } catch {
            writeStandardError("ats: \(error)\n")
            return 2
        }
        return ServeCommand.run(config)
    }
}

exit(main())
