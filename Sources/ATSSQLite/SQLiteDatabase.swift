import ATSDomain
import ATSSupport
import ATSPersistence
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The SQLite adapter: one writer connection (writes are serialized in-process, and
/// across processes by SQLite's lock with busy_timeout) and a pool of readers that run
/// concurrently with it thanks to WAL.
public final class SQLiteDatabase: SQLDatabase, @unchecked Sendable {
    // Invariant: `writer` is only used with `writerLock` held.
    private let writer: SQLiteConnection
    private let writerLock = Mutex(())
    /// The thread holding `writerLock` (0: none), to refuse nested transactions.
    private let writerOwner = Atomic<UInt>(0)
    private let readers: ConnectionPool<SQLiteConnection>
    public let path: String
    public let capabilities: any SQLCapabilities = SQLiteCapabilities()
    /// One writer: a BEGIN never finds a stale connection to replace.
    public let reconnectAttempts = 0
    /// What units of work take as "now" (tests move it).
    public let clock: @Sendable () -> Timestamp

    /// Opens (creating if needed) the database file at `path`.
    public init(path: String, readers: Int = 8, clock: @escaping @Sendable () -> Timestamp = { Timestamp.now() }) throws {
        self.path = path
        self.clock = clock
        writer = try SQLiteDatabase.open(path)
        self.readers = ConnectionPool(capacity: readers) { try SQLiteDatabase.open(path, readOnly: true) }
    }

    private static func open(_ path: String, readOnly: Bool = false) throws(StorageError) -> SQLiteConnection {
        do throws(SQLError) {
            return try SQLiteConnection(path: path, readOnly: readOnly)
        } catch {
            throw .unavailable(error.description)
        }
    }

    /// `sqlite:///./dev.db` → `./dev.db`; `sqlite:///var/lib/ats.db` → `/var/lib/ats.db`.
    public static func path(fromURL url: String) -> String? {
        guard url.hasPrefix("sqlite://") else { return nil }
        let rest = url.dropFirst("sqlite://".count)
        guard rest.hasPrefix("/") else { return nil }
        let path = rest.dropFirst()
        // sqlite:///./x → ./x (relative); sqlite:////abs → /abs; sqlite:///abs → /abs.
        if path.hasPrefix("./") || path.hasPrefix("../") || path.hasPrefix("/") { return String(path) }
        return path.isEmpty ? nil : "/" + path
    }

    public func withWriteConnection<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        // The writer lock is not re-entrant: a transaction opened inside another on the
        // same thread would wait for itself forever. Refuse it instead.
        let me = UInt(bitPattern: Int(pthread_self()))
        guard writerOwner.load(ordering: .acquiring) != me else { throw StorageError.internalError("nested transaction") }
        return try writerLock.withLock { _ in
            writerOwner.store(me, ordering: .releasing)
            defer { writerOwner.store(0, ordering: .releasing) }
            return try body(writer)
        }
    }

    public func withReadConnection<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try readers.with { connection in try body(connection) }
    }

    /// Runs `body` with the writer connection outside any transaction (the migration
    /// runner manages its own transactions).
    public func withWriter<T>(_ body: (any SQLConnection) throws -> T) rethrows -> T {
        try writerLock.withLock { _ in try body(writer) }
    }
}
