import ATSDomain
import ATSSupport
import ATSPostgres
import ATSSQLite
import ATSFeatures
import ATSPersistence
import Foundation
import Synchronization
import Testing

/// The two adapters the contract runs against.
public enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres
    public var testDescription: String { rawValue }
}

/// PostgreSQL for tests, from the environment `scripts/test` sets up. Missing settings
/// fail the test (a skipped PostgreSQL run must never look like a pass).
public enum PostgresTestServer {
    /// `postgres://owner:pw@127.0.0.1:5432/` — may create databases.
    public static var ownerURL: String? { ProcessInfo.processInfo.environment["ATS_TEST_POSTGRES_OWNER"] }
    /// `postgres://ats_app:pw@127.0.0.1:5432/` — the serving role, not the tables' owner.
    public static var appURL: String? { ProcessInfo.processInfo.environment["ATS_TEST_POSTGRES_APP"] }
    public static var appRole: String { ProcessInfo.processInfo.environment["ATS_TEST_POSTGRES_APP_ROLE"] ?? "ats_app" }
    public static var restartCommand: String? { ProcessInfo.processInfo.environment["ATS_TEST_POSTGRES_RESTART"] }

    public static func require() throws -> (owner: String, app: String) {
        guard let owner = ownerURL, let app = appURL else {
            Issue.record("PostgreSQL is not configured for tests: run scripts/test (it starts PostgreSQL and sets ATS_TEST_POSTGRES_OWNER/APP)")
            throw CancellationError()
        }
        return (owner, app)
    }
}

/// Citus under the same tests (scripts/citus-check): when `ATS_TEST_CITUS_WORKERS` is set,
/// ATS_TEST_POSTGRES_OWNER/APP point at a Citus coordinator, and each test database is
/// also created on every worker, with the `citus` extension in all of them and the
/// workers registered, as deploy/SCALING.md sets up a database. Unset: plain PostgreSQL,
/// nothing of this runs.
public enum CitusTestCluster {
    private static var environment: [String: String] { ProcessInfo.processInfo.environment }
    /// `127.0.0.1:5442,127.0.0.1:5443`.
    public static var workers: [(host: String, port: Int64)] {
        (environment["ATS_TEST_CITUS_WORKERS"] ?? "").split(separator: ",").compactMap { node in
            let parts = node.split(separator: ":")
            guard parts.count == 2, let port = Int64(parts[1]) else { return nil }
            return (String(parts[0]), port)
        }
    }
    /// `127.0.0.1:5441`: the coordinator's own address, as the workers reach it.
    public static var coordinator: (host: String, port: Int64)? {
        let parts = (environment["ATS_TEST_CITUS_COORDINATOR"] ?? "").split(separator: ":")
        guard parts.count == 2, let port = Int64(parts[1]) else { return nil }
        return (String(parts[0]), port)
    }
    /// A superuser that connects without a password (the script's clusters trust loopback):
    /// only it may create the extension and register nodes.
    public static var superuser: String { environment["ATS_TEST_CITUS_SUPERUSER"] ?? "postgres" }
    /// Fewer shards than Citus's 32: a test database distributes twenty-odd tables.
    public static var shardCount: Int { Int(environment["ATS_TEST_CITUS_SHARD_COUNT"] ?? "") ?? 4 }

    public static var isConfigured: Bool { !workers.isEmpty && coordinator != nil }

    /// Test databases are made one at a time on Citus: it propagates DDL with its owner
    /// role to the workers (an ALTER ROLE there), and two databases migrating at once
    /// then fail with "tuple concurrently updated" (one database in production).
    private static let preparation = Mutex(())

    /// `body` under the lock on Citus; on plain PostgreSQL as it is, in parallel.
    static func oneAtATime(_ body: () throws -> Void) throws {
        guard isConfigured else { return try body() }
        try preparation.withLock { _ in try body() }
    }

    static func url(_ host: String, _ port: Int64, _ database: String) -> String {
        "postgres://\(superuser)@\(host):\(port)/\(database)"
    }

    /// Creates `name` (already created on the coordinator by `owner`) on every worker,
    /// owned by `owner`, and makes it a Citus database on every node. Returns the cleanup
    /// that drops the workers' copies.
    static func prepare(_ name: String, owner: String) throws -> () -> Void {
        guard let coordinator else { throw StorageError.internalError("ATS_TEST_CITUS_COORDINATOR is not set") }
        var created: [PostgresDatabase] = []
        let dropOnWorkers = {
            for admin in created {
                try? admin.withConnection { try $0.executeScript("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
            }
        }
        do {
            for worker in workers {
                let admin = PostgresDatabase(url: url(worker.host, worker.port, "postgres"), poolSize: 1)
                try admin.withConnection { try $0.executeScript("CREATE DATABASE \(name) OWNER \(owner)") }
                created.append(admin)
                try PostgresDatabase(url: url(worker.host, worker.port, name), poolSize: 1).withConnection {
                    try $0.executeScript("CREATE EXTENSION citus")
                }
            }
            try PostgresDatabase(url: url(coordinator.host, coordinator.port, name), poolSize: 1).withConnection { connection in
                try connection.executeScript("CREATE EXTENSION citus")
                _ = try connection.query("SELECT citus_set_coordinator_host($1, $2::int)", [.text(coordinator.host), .int(coordinator.port)])
                for worker in workers {
                    _ = try connection.query("SELECT citus_add_node($1, $2::int)", [.text(worker.host), .int(worker.port)])
                }
                // Read by create_distributed_table in the migrating session, opened after this.
                try connection.executeScript("ALTER DATABASE \(name) SET citus.shard_count = \(shardCount)")
            }
        } catch {
            dropOnWorkers()
            throw error
        }
        return dropOnWorkers
    }
}

/// A fresh, migrated database for one test: a temporary SQLite file, or a new
/// PostgreSQL database (migrated as the owner, used as the app role, dropped after).
public final class TestDatabase: @unchecked Sendable {
    public let backend: Backend
    public let database: any Database
    /// Owner-side access for migration tests (same database, table-owner role).
    public let ownerDatabase: (any Database)?
    public let name: String
    public let url: String
    public let ownerURL: String?
    private let cleanup: () -> Void

    public init(_ backend: Backend, migrate: Bool = true, clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) throws {
        self.backend = backend
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        name = "ats_t_\(suffix)"
        switch backend {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).db").path
            url = "sqlite:///" + path
            ownerURL = nil
            let db = try SQLiteDatabase(path: path, readers: 8, clock: clock)
            database = db
            ownerDatabase = db
            cleanup = {
                for ext in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + ext) }
            }
            if migrate { _ = try db.withWriter { try MigrationRunner(connection: $0, migrations: MigrationCatalog.migrations(for: .sqlite)).up() } }
        case .postgres:
            let (owner, app) = try PostgresTestServer.require()
            let admin = PostgresDatabase(url: owner + "postgres", poolSize: 1)
            let databaseName = name
            try admin.withConnection { try $0.executeScript("CREATE DATABASE \(databaseName)") }
            var dropOnWorkers: () -> Void = {}
            url = app + name
            ownerURL = owner + name
            let ownerDB = PostgresDatabase(url: owner + name, poolSize: 2)
            try CitusTestCluster.oneAtATime {
                if CitusTestCluster.isConfigured {
                    do {
                        let ownerRole = try admin.withConnection { try $0.queryOne("SELECT current_user::text", [])?.text(0) } ?? "ats_owner"
                        dropOnWorkers = try CitusTestCluster.prepare(databaseName, owner: ownerRole)
                    } catch {
                        try? admin.withConnection { try $0.executeScript("DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)") }
                        throw error
                    }
                }
                guard migrate else { return }
                _ = try ownerDB.withConnection {
                    try MigrationRunner(connection: $0, migrations: MigrationCatalog.migrations(for: .postgres),
                                        distribution: try CitusDistribution.detect($0)).up()
                }
                // A Citus run whose tables stayed local would prove nothing.
                if CitusTestCluster.isConfigured,
                   try ownerDB.withConnection({ try $0.queryOne("SELECT 1 FROM pg_dist_partition WHERE partmethod = 'h' LIMIT 1", []) }) == nil {
                    throw StorageError.internalError("Citus test database \(databaseName): no table was distributed")
                }
                try ownerDB.grantApplicationRole(PostgresTestServer.appRole)
            }
            ownerDatabase = ownerDB
            database = PostgresDatabase(url: app + name, poolSize: 24, clock: clock)
            cleanup = {
                // Other sessions (the pools above) may still be connected: force them out.
                try? admin.withConnection { try $0.executeScript("DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)") }
                dropOnWorkers()
            }
        }
    }

    deinit { cleanup() }

    /// Runs `body` with a migration runner on the owner connection.
    public func withRunner<T>(_ migrations: [Migration]? = nil, _ body: (MigrationRunner) throws -> T) throws -> T {
        let dialect: SQLDialect = backend == .sqlite ? .sqlite : .postgres
        let list = try migrations ?? MigrationCatalog.migrations(for: dialect)
        switch ownerDatabase {
        case let db as SQLiteDatabase: return try db.withWriter { try body(MigrationRunner(connection: $0, migrations: list)) }
        case let db as PostgresDatabase:
            return try db.withConnection { try body(MigrationRunner(connection: $0, migrations: list, distribution: try CitusDistribution.detect($0))) }
        default: throw StorageError.internalError("no owner database")
        }
    }
}

/// Small fixtures shared by the contract tests.
public struct Fixture: Sendable {
    public let db: any Database
    public let tenant: TenantID
    public let recruiter: User
    public let candidate: User

    public static func make(_ db: any Database, slug: String = "t\(UInt32.random(in: 0...UInt32.max))") throws -> Fixture {
        let tenant = try db.transaction(tenant: nil) { try $0.tenants.create(slug: slug, name: "Tenant \(slug)") }
        return try db.transaction(tenant: tenant.id) { work in
            let recruiter = try work.users.create(tenant.id, NewUser(email: "rec@\(slug).io", passwordHash: "$argon2id$x", fullName: "Rec", role: .recruiter))
            let candidate = try work.users.create(tenant.id, NewUser(email: "cand@\(slug).io", passwordHash: "$argon2id$x", fullName: "Cand", role: .candidate))
            return Fixture(db: db, tenant: tenant.id, recruiter: recruiter, candidate: candidate)
        }
    }

    public func job(_ title: String = "Engineer", company: String = "Acme", status: JobStatus = .open, location: String? = nil, description: String? = nil) throws -> Job {
        try db.transaction(tenant: tenant) {
            try $0.jobs.create(tenant, NewJob(title: title, company: company, description: description, location: location, status: status, createdBy: recruiter.id))
        }
    }

    public func candidate(_ n: Int) throws -> User {
        try db.transaction(tenant: tenant) {
            try $0.users.create(tenant, NewUser(email: "c\(n)@x.io", passwordHash: "h", fullName: nil, role: .candidate))
        }
    }
}

/// A clock a test moves: the real time plus an offset the test sets, for everything the
/// database stamps (`TestDatabase(_:clock:)`).
public final class TestClock: Sendable {
    private let offset = Atomic<Int64>(0)
    /// Non-zero: every stamp is this instant (rows created together tie on created_at).
    private let frozen = Atomic<Int64>(0)

    public init() {}

    /// Stamps from now on are `hours` away from the real time.
    public func set(hours: Double) { offset.store(Int64(hours * 3_600_000_000), ordering: .relaxed) }

    /// Stamps from now on are all `time` (nil: the moving clock again).
    public func freeze(at time: Timestamp?) { frozen.store(time?.microseconds ?? 0, ordering: .relaxed) }

    public var now: @Sendable () -> Timestamp {
        { [self] in
            let fixed = frozen.load(ordering: .relaxed)
            return Timestamp(microseconds: fixed != 0 ? fixed : Timestamp.now().microseconds + offset.load(ordering: .relaxed))
        }
    }
}
