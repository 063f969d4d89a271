import ATSAPI
import ATSAuth
import ATSConfiguration
import ATSDomain
import ATSSupport
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
        writeStandardError("ats: \(error)\n" + (error.showsUsage ? "\n" + CommandParser.usage : ""))
        return 2
    }
    switch command {
    case .help(let topic):
        print(topic.map(CommandParser.help(for:)) ?? CommandParser.usage, terminator: "")
        return 0
    case .openapi(let format):
        print(format == .postman ? PostmanCollection.json : OpenAPIDocument.json)
        return 0
    case .version:
        print("ats \(ATSVersion.string) (libpq \(PostgresLibrary.version), sqlite \(SQLiteLibrary.version), libsodium \(Sodium.version))")
        return 0
    default:
        break
    }
    let config: Configuration
    do {
        config = try ProcessEnvironment.loadConfiguration()
    } catch {
        writeStandardError("ats: \(error)\n")
        return 2
    }
    do {
        switch command {
        case .serve: return ServeCommand.run(config)
        case .worker(let concurrency): return WorkerCommand.run(config, concurrency: concurrency)
        case .migrate(let action): try StorageCommands.migrate(action, config)
        case .tenantCreate(let slug, let name): try StorageCommands.createTenant(slug: slug, name: name, config)
        case .tenantList: try StorageCommands.listTenants(config)
        case .tenantExport(let slug): try StorageCommands.exportTenant(slug, config)
        case .tenantDelete(let slug, let confirmation): try StorageCommands.deleteTenant(slug, confirmation: confirmation, config)
        case .userCreate(let tenant, let email, let role, let name): try StorageCommands.createUser(tenant: tenant, email: email, role: role, fullName: name, config)
        case .seed: try StorageCommands.seed(config)
        case .help, .version, .openapi: break
        }
    } catch let error as ConfigError {
        writeStandardError("ats: \(error)\n")
        return 2
    } catch {
        writeStandardError("ats: \(error)\n")
        return 1
    }
    return 0
}

exit(main())
