import ATSFeatures
import ATSDomain
import ATSSupport
import ATSPostgres
@testable import ATSPersistence
import Foundation
import ATSTestSupport
import Testing

@Suite("Migrations (both adapters)", .timeLimit(.minutes(3)))
struct MigrationContractTests {
    private func dialect(_ backend: Backend) -> SQLDialect { backend == .sqlite ? .sqlite : .postgres }

    @Test("from empty, re-run is a no-op, down then up", arguments: Backend.allCases)
    func upDownUp(_ backend: Backend) throws {
        let test = try TestDatabase(backend, migrate: false)
        let all = try MigrationCatalog.migrations(for: dialect(backend))
        let before = try test.withRunner { try $0.status() }
        #expect(before.applied.isEmpty && before.pending.map(\.version) == all.map(\.version))
        #expect(try test.withRunner { try $0.up() }.map(\.version) == all.map(\.version))
        #expect(try test.withRunner { try $0.up() }.isEmpty, "a second run applies nothing")
        let status = try test.withRunner { try $0.status() }
        #expect(status.isCurrent && status.applied.map(\.checksum) == all.map(\.checksum))
        // The default tenant exists after the first migration.
        #expect(try test.ownerDatabase?.read(tenant: nil) { try $0.tenants.find(slug: "default") } != nil)

        #expect(try test.withRunner { try $0.down(1) }.map(\.version) == [all.last?.version ?? 0])
        #expect(try test.withRunner { try $0.status() }.pending.count == 1)
        #expect(try test.withRunner { try $0.up() }.count == 1)
        #expect(try test.withRunner { try $0.status() }.isCurrent)
    }

    @Test("every migration down to empty, then up again (PostgreSQL: one statement at a time)", arguments: Backend.allCases)
    func allDownAllUp(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let all = try MigrationCatalog.migrations(for: dialect(backend))
        #expect(try test.withRunner { try $0.down(all.count) }.map(\.version) == all.map(\.version).reversed())
        #expect(try test.withRunner { try $0.status() }.applied.isEmpty)
        #expect(try test.withRunner { try $0.up() }.map(\.version) == all.map(\.version))
        #expect(try test.withRunner { try $0.status() }.isCurrent)
    }

    @Test("an applied migration whose file changed is refused", arguments: Backend.allCases)
    func changedFileIsRefused(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        var edited = try MigrationCatalog.migrations(for: dialect(backend))
        let first = edited[0]
        edited[0] = Migration(version: first.version, name: first.name, up: first.up + "\n-- edited", down: first.down,
                              checksum: Migration.sha256("edited"))
        #expect(throws: MigrationError.changed(version: first.version, name: first.name)) { try test.withRunner(edited) { try $0.up() } }
        #expect(try test.withRunner(edited) { try $0.status() }.changed.map(\.version) == [first.version])
    }

    @Test("applied versions the binary does not know are refused", arguments: Backend.allCases)
    func unknownAppliedIsRefused(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let known = try MigrationCatalog.migrations(for: dialect(backend))
        let future = Migration(version: 9000, name: "future", up: "CREATE TABLE future_thing (id INTEGER)", down: "DROP TABLE future_thing", checksum: "f")
        _ = try test.withRunner(known + [future]) { try $0.up() }
        #expect(throws: MigrationError.unknownApplied([9000])) { try test.withRunner(known) { try $0.up() } }
    }

    @Test("a failing migration leaves no trace", arguments: Backend.allCases)
    func failingMigrationLeavesNoTrace(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let known = try MigrationCatalog.migrations(for: dialect(backend))
        let broken = Migration(version: 9001, name: "broken",
                               up: "CREATE TABLE half_done (id INTEGER);\nINSERT INTO half_done VALUES (1);\nSELECT * FROM no_such_table;",
                               down: "DROP TABLE half_done", checksum: "b")
        #expect(throws: MigrationError.self) { try test.withRunner(known + [broken]) { try $0.up() } }
        let status = try test.withRunner(known + [broken]) { try $0.status() }
        #expect(status.pending.map(\.version) == [9001])
        // The table the failed migration created was rolled back with it.
        let lookup = backend == .sqlite
            ? "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"
            : "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'"
        let count = try test.withRunner { runner in try runner.connection.queryOne(lookup, [])?.int(0) }
        #expect(count == 0)
    }

    @Test("stamp records without running", arguments: Backend.allCases)
    func stamp(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let all = try MigrationCatalog.migrations(for: dialect(backend))
        try test.withRunner { try $0.stamp(0) }
        #expect(try test.withRunner { try $0.status() }.pending.count == all.count)
        try test.withRunner { try $0.stamp(all.last?.version ?? 1) }
        #expect(try test.withRunner { try $0.status() }.isCurrent)
        #expect(throws: MigrationError.noSuchVersion(4242)) { try test.withRunner { try $0.stamp(4242) } }
    }

    @Test func migrationFilesParse() throws {
        let m = try Migration(fileName: "0007_add_tags.sql", contents: "-- note\n-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n")
        #expect(m.version == 7 && m.name == "add_tags" && m.up.contains("CREATE TABLE") && m.down.contains("DROP TABLE"))
        #expect(throws: MigrationError.self) { try Migration(fileName: "7.sql", contents: "-- migrate:up\n-- migrate:down\n") }
        #expect(throws: MigrationError.self) { try Migration(fileName: "0001_x.sql", contents: "CREATE TABLE t (id int);\n-- migrate:up\n-- migrate:down\n") }
        #expect(throws: MigrationError.self) { try Migration(fileName: "0001_x.sql", contents: "-- migrate:up\nSELECT 1;\n") }
        #expect(throws: MigrationError.self) { try Migration(fileName: "0001_x.sql", contents: "-- migrate:down\n-- migrate:up\n") }
    }

    @Test("the migrations compiled in match db/migrations")
    func embeddedMigrationsAreCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        func files(_ dialect: String) throws -> [(name: String, contents: String)] {
            let dir = root.appendingPathComponent("db/migrations/\(dialect)")
            return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }.sorted().map {
                ($0, try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8))
            }
        }
        let sqlite = try files("sqlite"), postgres = try files("postgres")
        #expect(sqlite.map(\.name) == postgres.map(\.name), "both dialects have the same versions")
        let rendered = MigrationCatalog.renderEmbeddedSource(sqlite: sqlite, postgres: postgres)
        let committed = try String(contentsOf: root.appendingPathComponent("Sources/ATSPersistence/Migrations/EmbeddedMigrations.swift"), encoding: .utf8)
        #expect(rendered == committed, "run `swift run ats migrate embed` and commit the result")
    }

    @Test("two concurrent `ats migrate up` processes on PostgreSQL: one applies, the other waits, no error")
    func concurrentMigrateUp() throws {
        let test = try TestDatabase(.postgres, migrate: false)
        let ats = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            .deletingLastPathComponent().appendingPathComponent("ats")
        let processes = try (0..<2).map { _ -> (Process, Pipe) in
            let process = Process()
            process.executableURL = ats
            process.arguments = ["migrate", "up"]
            process.environment = ["DATABASE_URL": test.url, "DATABASE_OWNER_URL": test.ownerURL ?? "", "ATS_DB_APP_ROLE": PostgresTestServer.appRole,
                                   "PATH": "/usr/bin:/bin"]
            process.currentDirectoryURL = FileManager.default.temporaryDirectory
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            return (process, output)
        }
        var outputs: [String] = []
        for (process, pipe) in processes {
            outputs.append(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(outputs.last ?? "")")
        }
        #expect(outputs.filter { $0.contains("applied 0001") }.count == 1, "\(outputs)")
        let rows = try test.withRunner { runner in try runner.connection.query("SELECT version FROM schema_migrations", []) }
        #expect(rows.count == (try MigrationCatalog.migrations(for: .postgres)).count)
    }

    @Test("on PostgreSQL, serve refuses a schema that is behind and names the command to run")
    func serveRefusesAStaleSchema() throws {
        let test = try TestDatabase(.postgres, migrate: false)
        let ats = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            .deletingLastPathComponent().appendingPathComponent("ats")
        let process = Process()
        process.executableURL = ats
        process.arguments = ["serve"]
        process.environment = ["DATABASE_URL": test.url, "ATS_PORT": "0", "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardError = output
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(text.contains("run 'ats migrate up'"), "\(text)")
    }

    /// Restarting the server would break every other PostgreSQL test running in parallel,
    /// so scripts/test runs this one on its own, setting ATS_TEST_POSTGRES_RESTART only
    /// for that run.
    @Test("a PostgreSQL restart fails at most what is in flight; later work succeeds without a new pool",
          .enabled(if: PostgresTestServer.restartCommand != nil))
    func survivesPostgresRestart() throws {
        let restart = try #require(PostgresTestServer.restartCommand)
        let test = try TestDatabase(.postgres)
        let f = try Fixture.make(test.database)
        _ = try f.job("Before")
        // Warm several pooled connections, which the restart will kill.
        for _ in 0..<5 { _ = try test.database.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(), page: Page()) } }

        // system(), not Process: the restarted postmaster daemonizes and keeps the pipe
        // Foundation's Process waits on, which would never close.
        #expect(system(restart + " >/dev/null 2>&1 </dev/null") == 0)

        // Every later request succeeds: stale connections are replaced transparently.
        for i in 0..<10 {
            let job = try f.job("After \(i)")
            #expect(try test.database.read(tenant: f.tenant) { try $0.jobs.find(f.tenant, id: job.id) }?.title == "After \(i)")
        }
        try test.database.ping()
    }
}
