import ATSPersistence
import ATSTestSupport
import Foundation
import Testing

/// Runs the real `ats` binary (built next to the test bundle) as a child process.
struct ATSProcess {
    static var executable: URL {
        let testBinary = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        return testBinary.deletingLastPathComponent().appendingPathComponent("ats")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil, input: String? = nil) throws -> Result {
        let process = Process()
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.currentDirectoryURL = directory ?? FileManager.default.temporaryDirectory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

@Suite("ats command line")
struct CLITests {
    @Test func helpAndVersion() throws {
        let help = try ATSProcess.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Usage: ats COMMAND"))
        #expect(help.stdout.contains("serve"))
        let serveHelp = try ATSProcess.run(["serve", "--help"])
        #expect(serveHelp.status == 0)
        #expect(serveHelp.stdout.contains("ATS_MAX_CONNECTIONS"))
        let openapi = try ATSProcess.run(["openapi"])
        #expect(openapi.status == 0 && openapi.stdout.hasPrefix("{\"openapi\":\"3.1.0\""))
        #expect(try ATSProcess.run(["openapi", "--format", "openapi"]).stdout == openapi.stdout)
        let postman = try ATSProcess.run(["openapi", "--format", "postman"])
        #expect(postman.status == 0 && postman.stdout.contains("\"schema\":\"https://schema.getpostman.com/json/collection/v2.1.0/collection.json\""))
        #expect(try ATSProcess.run(["openapi", "--format=postman"]).stdout == postman.stdout)
        let unknown = try ATSProcess.run(["openapi", "--format", "raml"])
        #expect(unknown.status == 2 && unknown.stdout.isEmpty)
        #expect(unknown.stderr == "ats: unknown format 'raml' for openapi (openapi or postman)\n", "one line, no usage")
        let version = try ATSProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("ats "))
        #expect(version.stdout.contains("libpq") && version.stdout.contains("sqlite") && version.stdout.contains("libsodium"))
    }

    @Test("unknown commands and flags print usage to stderr and exit 2", arguments: [
        ["frobnicate"], ["--frobnicate"], ["serve", "--port"], [], ["help", "nosuch"],
        ["worker", "--concurrency", "0"], ["worker", "--concurrency"], ["worker", "extra"],
    ])
    func usageErrors(_ arguments: [String]) throws {
        let result = try ATSProcess.run(arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("ats: "))
        #expect(result.stderr.contains("Usage: ats COMMAND"))
    }

    @Test func badConfigurationIsOneLineAndExit2() throws {
        let result = try ATSProcess.run(["serve"], environment: ["ATS_PORT": "http"])
        #expect(result.status == 2)
        #expect(result.stderr == "ats: ATS_PORT: expected a whole number from 0 to 65535, got 'http'\n")
    }

    @Test func placeholderSecretKeyIsRefusedWithoutEchoingIt() throws {
        let placeholder = "change-me-to-the-output-of-openssl-rand-hex-32"
        let result = try ATSProcess.run(["serve"], environment: ["SECRET_KEY": placeholder, "ATS_PORT": "0"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("ats: SECRET_KEY: ") && result.stderr.filter { $0 == "\n" }.count == 1)
        #expect(!result.stderr.contains(placeholder))
    }

    @Test func workerNeedsRedisAndAValidURL() throws {
        let missing = try ATSProcess.run(["worker"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "ats: REDIS_URL: ats worker needs it (without Redis, ats serve delivers notifications itself)\n")
        let bad = try ATSProcess.run(["worker"], environment: ["REDIS_URL": "redis://:hunter2@host:99999"])
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("ats: REDIS_URL: expected redis://") && !bad.stderr.contains("hunter2"))
    }

    @Test func badDotEnvIsOneLineAndExit2() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "ATS_THREADS=2\nthis is not a pair\n".write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let result = try ATSProcess.run(["serve"], directory: directory)
        #expect(result.status == 2)
        #expect(result.stderr == "ats: .env line 2: expected KEY=value\n")
        // The environment wins over .env.
        try "ATS_PORT=nonsense\n".write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let overridden = try ATSProcess.run(["serve"], environment: ["ATS_PORT": "-5"], directory: directory)
        #expect(overridden.stderr.hasPrefix("ats: ATS_PORT:") && overridden.stderr.contains("'-5'"))
    }

    @Test func serveAnswersAndStopsOnSIGTERMWithExit0() throws {
        let process = Process()
        process.executableURL = ATSProcess.executable
        process.arguments = ["serve"]
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("ats-serve-\(UUID().uuidString).db").path
        defer { for ext in ["", "-wal", "-shm", ".secret"] { try? FileManager.default.removeItem(atPath: database + ext) } }
        process.environment = ["ATS_PORT": "0", "ATS_THREADS": "1", "DATABASE_URL": "sqlite:///" + database]
        // A development key left readable by others is made the owner's alone, with a warning.
        try "dev-secret-key-kept-beside-the-database-7Qx2".write(toFile: database + ".secret", atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: database + ".secret")
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The first log line says where it listens.
        var collected = Data()
        var port: Int?
        let deadline = Date().addingTimeInterval(10)
        while port == nil && Date() < deadline {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            collected.append(chunk)
            let text = String(decoding: collected, as: UTF8.self)
            if let range = text.range(of: "\"address\":\"127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix(while: { $0.isNumber }))
            }
        }
        let bound = try #require(port)
        let (status, body) = try fetch(port: bound, path: "/healthz")
        #expect(status == 200)
        #expect(body == #"{"status":"ok"}"#)
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let rest = String(decoding: collected + err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(rest.contains("\"msg\":\"request\""))
        #expect(rest.contains("\"msg\":\"stopped\""))
        // On SQLite, serve brings the schema up to date by itself.
        #expect(rest.contains("\"msg\":\"applied migration\",\"version\":\"1\""))
        #expect(rest.contains(".secret was open to others (mode 644); set it to 0600"))
        func mode(_ path: String) -> Int? { (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int }
        #expect(mode(database + ".secret") == 0o600)
        #expect(mode(database) == 0o600, "the SQLite database is created for its owner only")
    }

    /// A GET over a raw socket: status and body.
    private func fetch(port: Int, path: String) throws -> (Int, String) {
        let response = try TestClient.exchange(port: port, "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return (response.status, response.bodyText)
    }
}

@Suite("ats data commands on SQLite")
struct DataCommandTests {
    let directory: URL
    let environment: [String: String]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        environment = ["DATABASE_URL": "sqlite:///" + directory.appendingPathComponent("test.db").path]
    }

    private func ats(_ arguments: [String], input: String? = nil, extra: [String: String] = [:]) throws -> ATSProcess.Result {
        try ATSProcess.run(arguments, environment: environment.merging(extra) { _, new in new }, directory: directory, input: input)
    }

    @Test func migrateStatusUpDown() throws {
        #expect(try ats(["migrate", "status"]).stdout.contains("pending  0001 initial"))
        let all = try MigrationCatalog.migrations(for: .sqlite).map { "\(String(repeating: "0", count: 4 - String($0.version).count))\($0.version) \($0.name)" }
        #expect(all.first == "0001 initial" && all.count >= 3)
        #expect(try ats(["migrate", "up"]).stdout == all.map { "applied \($0)\n" }.joined())
        #expect(try ats(["migrate", "up"]).stdout == "already up to date\n")
        #expect(try ats(["migrate", "status"]).stdout.hasPrefix("applied  0001 initial"))
        for name in all.reversed() { #expect(try ats(["migrate", "down"]).stdout == "reverted \(name)\n") }
        let badTarget = try ats(["migrate", "up", "--to", "77"])
        #expect(badTarget.status == 1 && badTarget.stderr == "ats: no migration has version 77\n")
        #expect(try ats(["migrate", "sideways"]).status == 2)
    }

    @Test func tenantsAndUsers() throws {
        let created = try ats(["tenant", "create", "acme", "--name", "Acme Inc"])
        #expect(created.status == 0 && created.stdout.hasPrefix("created tenant acme"))
        let again = try ats(["tenant", "create", "acme", "--name", "Other"])
        #expect(again.status == 1 && again.stderr == "ats: a tenant with this slug already exists\n")
        #expect(try ats(["tenant", "create", "Bad Slug!", "--name", "x"]).status == 2)
        let list = try ats(["tenant", "list"]).stdout
        #expect(list.contains("default") && list.contains("acme"))

        let user = try ats(["user", "create", "--tenant", "acme", "--email", " Ann@Acme.IO ", "--role", "admin"], input: "correct horse battery\n")
        #expect(user.status == 0 && user.stdout.contains("created admin ann@acme.io"), "\(user.stderr)")
        #expect(!user.stdout.contains("correct horse"))
        let duplicate = try ats(["user", "create", "--tenant", "acme", "--email", "ann@acme.io", "--role", "admin"], input: "another password\n")
        #expect(duplicate.status == 1 && duplicate.stderr == "ats: email already registered in this tenant\n")
        let short = try ats(["user", "create", "--tenant", "acme", "--email", "bo@acme.io", "--role", "candidate"], input: "short\n")
        #expect(short.status == 1 && short.stderr.contains("8 to 1024"))
        let flag = try ats(["user", "create", "--tenant", "acme", "--email", "bo@acme.io", "--role", "candidate", "--password", "x"])
        #expect(flag.status == 2 && flag.stderr.contains("never taken as flags"))
        #expect(try ats(["user", "create", "--tenant", "acme", "--email", "bo@acme.io", "--role", "boss"], input: "password1\n").status == 2)
        let noTenant = try ats(["user", "create", "--tenant", "nope", "--email", "bo@acme.io", "--role", "candidate"], input: "password1\n")
        #expect(noTenant.status == 1 && noTenant.stderr == "ats: no tenant 'nope'\n")
    }

    @Test func tenantExportAndDelete() throws {
        #expect(try ats(["tenant", "create", "acme", "--name", "Acme"]).status == 0)
        #expect(try ats(["user", "create", "--tenant", "acme", "--email", "ann@acme.io", "--role", "admin"], input: "password123\n").status == 0)
        let export = try ats(["tenant", "export", "acme"])
        #expect(export.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any]
        #expect((document?["tenant"] as? [String: Any])?["slug"] as? String == "acme")
        #expect((document?["users"] as? [[String: Any]])?.count == 1)
        #expect(!export.stdout.contains("argon2"), "no password hashes in an export")
        #expect(try ats(["tenant", "delete", "acme", "--confirm", "acmee"]).status == 1)
        #expect(try ats(["tenant", "delete", "default", "--confirm", "default"]).stderr.contains("ATS_DEFAULT_TENANT"))
        let deleted = try ats(["tenant", "delete", "acme", "--confirm", "acme"])
        #expect(deleted.status == 0 && deleted.stdout == "deleted tenant acme and all its data\n")
        #expect(!(try ats(["tenant", "list"]).stdout.contains("acme")))
        #expect(try ats(["tenant", "export", "acme"]).stderr == "ats: no tenant 'acme'\n")
    }

    @Test func seedIsIdempotent() throws {
        let first = try ats(["seed"])
        #expect(first.status == 0)
        for job in ["Backend Developer at TechCorp", "Frontend Engineer at WebWorks", "Data Analyst at DataPlus"] {
            #expect(first.stdout.contains("created job: \(job)"))
        }
        #expect(first.stdout.contains("created admin admin@example.com with password "))
        #expect(first.stdout.contains("created recruiter recruiter@example.com with password "))
        #expect(try ats(["seed"]).stdout == "already seeded: nothing to add\n")
    }

    @Test func badDatabaseURLIsOneLineWithoutTheValue() throws {
        let result = try ats(["tenant", "list"], extra: ["DATABASE_URL": "mysql://root:hunter2@db/ats"])
        #expect(result.status == 2)
        #expect(result.stderr == "ats: DATABASE_URL: expected sqlite:///PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE (value not shown)\n")
        let unreachable = try ats(["tenant", "list"], extra: ["DATABASE_URL": "postgres://ats:hunter2@127.0.0.1:1/ats"])
        #expect(unreachable.status == 1)
        #expect(!unreachable.stderr.contains("hunter2"))
        #expect(unreachable.stderr.hasPrefix("ats: database unavailable"))
    }
}
