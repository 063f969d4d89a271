import ATSDomain
import ATSSupport
import ATSPersistence

/// The PostgreSQL adapter: a pool of libpq connections; each unit of work is one
/// transaction with the tenant set for row-level security (`app.tenant_id`, local to
/// the transaction). A connection that dropped (server restart) is discarded and
/// replaced on the next checkout; a transaction whose BEGIN finds the connection dead
/// is retried once on a fresh one, so only work in flight during an outage fails.
public final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
    private let pool: ConnectionPool<PostgresConnection>
    public let capabilities: any SQLCapabilities = PostgresCapabilities()

    /// Statements sent by all of this database's connections.
    public let roundTrips: RoundTripCounter

    /// What units of work take as "now" (tests move it).
    public let clock: @Sendable () -> Timestamp

    public init(url: String, poolSize: Int = 10, statementTimeoutMilliseconds: Int = 5000, applicationName: String = "ats",
                clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) {
        self.clock = clock
        let counter = RoundTripCounter()
        roundTrips = counter
        pool = ConnectionPool(capacity: poolSize) { () throws(StorageError) -> PostgresConnection in
            do throws(SQLError) {
                let connection = try PostgresConnection(url: url, statementTimeoutMilliseconds: statementTimeoutMilliseconds, applicationName: applicationName)
                connection.sharedRoundTrips = counter
                return connection
            } catch {
                throw error.storageError
            }
        }
    }

    public static func isPostgresURL(_ url: String) -> Bool {
        url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    /// Each failed BEGIN discards one dead pooled connection; after at most `capacity`
    /// of them the pool opens a fresh one, so work started after an outage succeeds.
    public var reconnectAttempts: Int { pool.capacity }

    public func withWriteConnection<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try withConnection(body)
    }

    public func withReadConnection<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try withConnection(body)
    }

    /// Runs `body` on one pooled connection outside a transaction (migrations, which
    /// manage their own transactions and the advisory lock).
    public func withConnection<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try pool.with(keep: { $0.isReusable }) { connection in try body(connection) }
    }

    /// Grants the serving role what it needs on every table and sequence (run after
    /// migrations, as the owner). The role is a name from configuration, quoted by libpq.
    /// The audit log is insert-and-read only: its rows leave through two functions
    /// (migration 0015), which the role may call.
    public func grantApplicationRole(_ role: String) throws {
        try withConnection { connection in
            guard let postgres = connection as? PostgresConnection else { return }
            do throws(SQLError) {
                guard try postgres.queryOne("SELECT 1 FROM pg_roles WHERE rolname = $1", [.text(role)]) != nil else {
                    throw SQLError.other(code: "ROLE", message: "the application role '\(role)' does not exist; create it first (see README, PostgreSQL roles)")
                }
                let quoted = try postgres.quoteIdentifier(role)
                // The audit log is insert-and-read only (absent below migration 0015,
                // e.g. after `migrate up --to` an older version).
                let audited = try postgres.queryOne("SELECT to_regclass('audit_events') IS NOT NULL", [])?.bool(0) ?? false
                let auditGrants = audited ? """
                    REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM \(quoted);
                    GRANT EXECUTE ON FUNCTION audit_events_expire(bigint, timestamptz), audit_events_purge_tenant(bigint) TO \(quoted);
                    """ : ""
                // Under the migration lock: two GRANTs on one table at once fail with
                // "tuple concurrently updated" (two replicas running migrate up together).
                let citusSetting = try CitusDistribution.detect(postgres)?.propagationSetting(postgres, role: role) ?? ""
                try postgres.executeScript("BEGIN")
                _ = try postgres.query("SELECT pg_advisory_xact_lock($1)", [.int(MigrationRunner.advisoryLockKey)])
                // One statement at a time: Citus refuses a multi-statement string.
                for statement in SQLScript.statements("""
                    GRANT USAGE ON SCHEMA public TO \(quoted);
                    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(quoted);
                    REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM \(quoted);
                    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \(quoted);
                    \(auditGrants)
                    \(citusSetting)
                    COMMIT;
                    """) {
                    try postgres.executeScript(statement)
                }
            } catch {
                try? postgres.executeScript("ROLLBACK")
                throw error.storageError
            }
        }
    }
}
