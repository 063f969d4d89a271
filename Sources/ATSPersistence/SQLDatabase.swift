import ATSDomain
import ATSSupport

/// A database the application runs units of work against.
public protocol Database: Sendable {
    /// Runs `body` in one transaction and commits it, or rolls back if `body` throws.
    /// With a tenant, the transaction is scoped to it (PostgreSQL: `app.tenant_id` for
    /// row-level security); without one, only the tenants table is reachable on PostgreSQL.
    func withTransaction<T>(tenant: TenantID?, _ body: (SQLTransaction) throws -> T) throws -> T
    /// Like `withTransaction`, read-only: runs concurrently with writers (SQLite readers
    /// in WAL mode; PostgreSQL `BEGIN READ ONLY`). Writing inside it fails.
    func withReadTransaction<T>(tenant: TenantID?, _ body: (SQLTransaction) throws -> T) throws -> T
    /// Throws unless the database answers a trivial query now (`/readyz`).
    func ping() throws
    var dialect: SQLDialect { get }
}

/// The one implementation of transactions, for every engine: BEGIN (with the tenant
/// scope in the same round trip), the aborted-transaction check before COMMIT, ROLLBACK
/// on any error, and one retry per dead pooled connection when BEGIN finds it gone. A
/// driver only hands out connections.
public protocol SQLDatabase: Database {
    var capabilities: any SQLCapabilities { get }
    /// Runs `body` on the connection for read-write work (SQLite: the one writer).
    func withWriteConnection<T>(_ body: (any SQLConnection) throws -> T) throws -> T
    /// Runs `body` on a connection for read-only work.
    func withReadConnection<T>(_ body: (any SQLConnection) throws -> T) throws -> T
    /// How often a unit of work whose BEGIN found the connection dead is retried
    /// (PostgreSQL: the pool size, so every stale connection can be replaced).
    var reconnectAttempts: Int { get }
    /// What units of work take as "now" (`SQLTransaction.now()`).
    var clock: @Sendable () -> Timestamp { get }
}

extension SQLDatabase {
    public var dialect: SQLDialect { capabilities.dialect }

    public func withTransaction<T>(tenant: TenantID?, _ body: (SQLTransaction) throws -> T) throws -> T {
        try unitOfWork(readOnly: false, tenant: tenant, body)
    }

    public func withReadTransaction<T>(tenant: TenantID?, _ body: (SQLTransaction) throws -> T) throws -> T {
        try unitOfWork(readOnly: true, tenant: tenant, body)
    }

    public func ping() throws {
        try withReadConnection { connection in
            do throws(SQLError) {
                _ = try connection.query("SELECT 1", [])
            } catch {
                throw error.storageError
            }
        }
    }

    private func unitOfWork<T>(readOnly: Bool, tenant: TenantID?, _ body: (SQLTransaction) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let run = { (connection: any SQLConnection) throws -> T in
                    try Self.run(connection, readOnly: readOnly, tenant: tenant, clock: clock, body)
                }
                return try readOnly ? withReadConnection(run) : withWriteConnection(run)
            } catch BeginFailed.connectionLost(let why) {
                // Nothing ran yet: a stale pooled connection (the server restarted since)
                // is worth a retry on a fresh one.
                if attempt > reconnectAttempts { throw StorageError.unavailable(why) }
            }
        }
    }

    private static func run<T>(_ connection: any SQLConnection, readOnly: Bool, tenant: TenantID?, clock: @escaping @Sendable () -> Timestamp,
                               _ body: (SQLTransaction) throws -> T) throws -> T {
        if readOnly && connection.beginScopedReads(tenant: tenant) {
            return try runScopedReads(connection, clock: clock, body)
        }
        let capabilities = connection.capabilities
        var begin = [capabilities.begin(readOnly: readOnly)]
        if let tenant, let scope = capabilities.scopeToTenant(tenant) { begin.append(scope) }
        do throws(SQLError) {
            try connection.begin(begin)
        } catch {
            if case .connectionLost(let why) = error { throw BeginFailed.connectionLost(why) }
            try? connection.executeScript("ROLLBACK")
            throw error.storageError
        }
        do {
            let result = try body(SQLTransaction(connection: connection, clock: clock))
            // A caught error may have aborted the transaction (PostgreSQL): committing
            // would quietly roll back everything while reporting success.
            if connection.transactionAborted { throw StorageError.internalError("the transaction was aborted by an earlier error") }
            try connection.executeScript("COMMIT")
            return result
        } catch {
            // A held BEGIN that found the connection dead: nothing ran, retry elsewhere.
            if connection.lostBeforeFirstStatement { throw BeginFailed.connectionLost(String(describing: error)) }
            try? connection.executeScript("ROLLBACK")
            if let sqlError = error as? SQLError { throw sqlError.storageError }
            throw error
        }
    }
}

extension SQLDatabase {
    /// Read-only work statement by statement (PostgreSQL: each in its own implicit
    /// transaction, scoped to the tenant in the same round trip). Under READ COMMITTED
    /// every statement of a transaction takes a new snapshot anyway, so reads see what
    /// they would have seen inside BEGIN … COMMIT, for one round trip less.
    private static func runScopedReads<T>(_ connection: any SQLConnection, clock: @escaping @Sendable () -> Timestamp,
                                          _ body: (SQLTransaction) throws -> T) throws -> T {
        do {
            let result = try body(SQLTransaction(connection: connection, clock: clock))
            if connection.transactionAborted { throw StorageError.internalError("the transaction was aborted by an earlier error") }
            try connection.endScopedReads(commit: true)
            return result
        } catch {
            // Nothing was written: a read that found the connection dead may run again.
            if connection.lostBeforeFirstStatement { throw BeginFailed.connectionLost(String(describing: error)) }
            try? connection.endScopedReads(commit: false)
            if let sqlError = error as? SQLError { throw sqlError.storageError }
            throw error
        }
    }
}

private enum BeginFailed: Error {
    case connectionLost(String)
}
