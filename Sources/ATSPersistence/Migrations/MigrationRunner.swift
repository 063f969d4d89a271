import ATSDomain
import ATSSupport

/// Where the database stands against the binary's migrations.
public struct MigrationStatus: Sendable {
    public var applied: [AppliedMigration]
    public var pending: [Migration]
    /// Applied migrations whose file changed since.
    public var changed: [Migration]
    /// Applied versions this binary has no file for.
    public var unknown: [AppliedMigration]

    public var isCurrent: Bool { pending.isEmpty && changed.isEmpty && unknown.isEmpty }
}

/// Applies and reverts migrations. Each migration and its `schema_migrations` row commit
/// in one transaction (PostgreSQL and SQLite both have transactional DDL), so a failing
/// migration leaves no trace. On PostgreSQL a session advisory lock makes a second
/// runner wait for the first instead of colliding.
public struct MigrationRunner {
    let connection: any SQLConnection
    public let migrations: [Migration]
    /// Citus: distributes what the migrations create (nil on a single database).
    let distribution: (any SchemaDistribution)?

    /// Arbitrary but fixed: the key of the advisory lock all `ats` runners share.
    public static let advisoryLockKey: Int64 = 0x4154_535F_4D49_47  // "ATS_MIG"

    public init(connection: any SQLConnection, migrations: [Migration], distribution: (any SchemaDistribution)? = nil) {
        self.connection = connection
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.distribution = distribution
    }

    public func status() throws(MigrationError) -> MigrationStatus {
        try ensureTable()
        return try computeStatus()
    }

    /// Like `status`, but creates nothing: for a role that may only read (`ats serve`
    /// on PostgreSQL checking that the schema is current).
    public func inspect() throws(MigrationError) -> MigrationStatus {
        let exists: Bool
        do {
            exists = try connection.queryOne(connection.capabilities.tableExistsQuery, [.text("schema_migrations")])?.bool(0) ?? false
        } catch {
            throw .database("cannot read the schema: \(error)")
        }
        guard exists else { return MigrationStatus(applied: [], pending: migrations, changed: [], unknown: []) }
        return try computeStatus()
    }

    /// Applies pending migrations up to `target` (all when nil); returns those applied.
    /// With a distribution (Citus), tables still local are distributed before and after
    /// the migrations, and, once some are, each table a migration creates right after
    /// its CREATE TABLE; `distributed` hears one line per table, once it committed.
    @discardableResult
    public func up(to target: Int? = nil, distributed: (String) -> Void = { _ in }) throws(MigrationError) -> [Migration] {
        if let target, !migrations.contains(where: { $0.version == target }) { throw .noSuchVersion(target) }
        return try locked { () throws(MigrationError) -> [Migration] in
            let status = try validated()
            try distributeLocalTables().forEach(distributed)
            var done: [Migration] = []
            for migration in status.pending where target.map({ migration.version <= $0 }) ?? true {
                var lines: [String] = []
                if try apply(migration, distributed: { lines.append($0) }) {
                    done.append(migration)
                    lines.forEach(distributed)
                }
            }
            if !done.isEmpty { try distributeLocalTables().forEach(distributed) }
            return done
        }
    }

    /// Reverts the last `steps` applied migrations, newest first; returns those reverted.
    @discardableResult
    public func down(_ steps: Int = 1) throws(MigrationError) -> [Migration] {
        try locked { () throws(MigrationError) -> [Migration] in
            let status = try validated()
            let byVersion = Dictionary(migrations.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
            var done: [Migration] = []
            for record in status.applied.sorted(by: { $0.version > $1.version }).prefix(max(0, steps)) {
                guard let migration = byVersion[record.version] else { throw .unknownApplied([record.version]) }
                try transaction(migration) { () throws(SQLError) in
                    try runScript(migration.down, distributed: { _ in })
                    try connection.execute("DELETE FROM schema_migrations WHERE version = $1", [.int(Int64(migration.version))])
                }
                done.append(migration)
            }
            return done
        }
    }

    /// Records every known migration up to `version` as applied, and none after it,
    /// without running any SQL (for a database whose schema was made another way).
    public func stamp(_ version: Int) throws(MigrationError) {
        guard version == 0 || migrations.contains(where: { $0.version == version }) else { throw .noSuchVersion(version) }
        try locked { () throws(MigrationError) in
            let status = try computeStatus()
            if !status.unknown.isEmpty { throw .unknownApplied(status.unknown.map(\.version)) }
            do {
                try connection.executeScript(beginStatement)
                try connection.execute("DELETE FROM schema_migrations WHERE version > $1", [.int(Int64(version))])
                let applied = Set(status.applied.map(\.version))
                for migration in migrations where migration.version <= version && !applied.contains(migration.version) {
                    try record(migration)
                }
                try connection.executeScript("COMMIT")
            } catch {
                try? connection.executeScript("ROLLBACK")
                throw .database("stamp failed: \(error)")
            }
        }
    }

    // MARK: Internals

    private var beginStatement: String { connection.capabilities.begin(readOnly: false) }

    private func ensureTable() throws(MigrationError) {
        let appliedAtType = connection.capabilities.timestampColumnType
        do {
            try connection.executeScript("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    checksum TEXT NOT NULL,
                    applied_at \(appliedAtType) NOT NULL
                )
                """)
        } catch {
            throw .database("cannot create schema_migrations: \(error)")
        }
    }

    private func computeStatus() throws(MigrationError) -> MigrationStatus {
        let rows: [SQLRow]
        do {
            rows = try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version", [])
        } catch {
            throw .database("cannot read schema_migrations: \(error)")
        }
        var applied: [AppliedMigration] = []
        for row in rows {
            do {
                applied.append(AppliedMigration(version: Int(try row.int(0)), name: try row.text(1), checksum: try row.text(2), appliedAt: try row.text(3)))
            } catch {
                throw .database("schema_migrations holds an unreadable row: \(error)")
            }
        }
        let known = Dictionary(migrations.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        let appliedVersions = Set(applied.map(\.version))
        return MigrationStatus(
            applied: applied,
            pending: migrations.filter { !appliedVersions.contains($0.version) },
            changed: applied.compactMap { record in known[record.version].flatMap { $0.checksum == record.checksum ? nil : $0 } },
            unknown: applied.filter { known[$0.version] == nil })
    }

    /// Status, refusing drift: a changed applied file or an unknown applied version.
    private func validated() throws(MigrationError) -> MigrationStatus {
        let status = try computeStatus()
        if let changed = status.changed.first { throw .changed(version: changed.version, name: changed.name) }
        if !status.unknown.isEmpty { throw .unknownApplied(status.unknown.map(\.version)) }
        return status
    }

    /// Applies one migration; false when another runner applied it meanwhile.
    private func apply(_ migration: Migration, distributed: (String) -> Void) throws(MigrationError) -> Bool {
        var applied = true
        try transaction(migration) { () throws(SQLError) in
            // Re-checked inside the (write-locked) transaction: on SQLite there is no
            // advisory lock, so a concurrent runner may have got here first.
            if try connection.queryOne("SELECT 1 FROM schema_migrations WHERE version = $1", [.int(Int64(migration.version))]) != nil {
                applied = false
                return
            }
            try runScript(migration.up, distributed: distributed)
            try record(migration)
        }
        return applied
    }

    /// PostgreSQL: one statement at a time (Citus refuses a multi-statement string it
    /// forwards to its workers). SQLite runs the whole script: its triggers' bodies hold
    /// semicolons, and it has no workers.
    private func runScript(_ script: String, distributed: (String) -> Void) throws(SQLError) {
        guard connection.dialect == .postgres else { return try connection.executeScript(script) }
        for statement in SQLScript.statements(script) {
            if let distribution {
                try distribution.execute(statement, connection).forEach(distributed)
            } else {
                try connection.executeScript(statement)
            }
        }
    }

    /// Citus: what is still local, distributed in a transaction of its own.
    private func distributeLocalTables() throws(MigrationError) -> [String] {
        guard let distribution else { return [] }
        do throws(SQLError) {
            try connection.executeScript(beginStatement)
            for setting in distribution.migrationSetup { try connection.executeScript(setting) }
            let lines = try distribution.distributeLocalTables(connection)
            try connection.executeScript("COMMIT")
            return lines
        } catch {
            try? connection.executeScript("ROLLBACK")
            throw .database("distributing the tables on Citus failed: \(error)")
        }
    }

    private func record(_ migration: Migration) throws(SQLError) {
        try connection.execute("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                               [.int(Int64(migration.version)), .text(migration.name), .text(migration.checksum), .timestamp(.now())])
    }

    private func transaction(_ migration: Migration, _ body: () throws(SQLError) -> Void) throws(MigrationError) {
        do throws(SQLError) {
            let capabilities = connection.capabilities
            if let before = capabilities.beforeMigration { try connection.executeScript(before) }
            defer { if let after = capabilities.afterMigration { try? connection.executeScript(after) } }
            try connection.executeScript(beginStatement)
            // The distribution's settings first: they decide which of the next SETs
            // Citus carries to the workers.
            for setting in distribution?.migrationSetup ?? [] { try connection.executeScript(setting) }
            if let setup = capabilities.migrationTransactionSetup { try connection.executeScript(setup) }
            try body()
            if let check = capabilities.foreignKeyCheckQuery, let violation = try connection.queryOne(check, []) {
                throw SQLError.foreignKeyViolation("table \((try? violation.text(0)) ?? "?") has rows without their parent")
            }
            if connection.transactionAborted { throw SQLError.other(code: "25P02", message: "the transaction was aborted") }
            try connection.executeScript("COMMIT")
        } catch {
            try? connection.executeScript("ROLLBACK")
            throw .failed(version: migration.version, name: migration.name, reason: error.description)
        }
    }

    private func locked<T>(_ body: () throws(MigrationError) -> T) throws(MigrationError) -> T {
        guard connection.dialect == .postgres else {
            try ensureTable()
            return try body()
        }
        do {
            // Migrations may wait for the lock and build indexes for longer than a request
            // may run: no statement or lock timeout on this session.
            try connection.executeScript("SET statement_timeout = 0; SET lock_timeout = 0")
            _ = try connection.query("SELECT pg_advisory_lock($1)", [.int(MigrationRunner.advisoryLockKey)])
        } catch {
            throw .database("cannot take the migration lock: \(error)")
        }
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [.int(MigrationRunner.advisoryLockKey)]) }
        try ensureTable()
        return try body()
    }
}
