#if canImport(Glibc)
import ATSSupport
import Glibc
#endif

/// A bounded set of connections handed to one thread at a time. Waiting for one is
/// bounded too: past `timeout` the caller gets `.unavailable` (the API answers 503).
public final class ConnectionPool<Connection: AnyObject>: @unchecked Sendable {
    // Invariant: `idle` and `open` are only touched with `mutex` held.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let available = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var idle: [Connection] = []
    private var open = 0
    public let capacity: Int
    private let timeout: Double
    private let connect: () throws -> Connection

    public init(capacity: Int, timeout: Double = 5, connect: @escaping () throws -> Connection) {
        self.capacity = max(1, capacity)
        self.timeout = timeout
        self.connect = connect
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(available, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(available)
        mutex.deallocate()
        available.deallocate()
    }

    /// Runs `body` with a connection. When `body` reports the connection broken
    /// (`keep` returns false), it is dropped and the next caller opens a fresh one.
    public func with<T>(keep: (Connection) -> Bool = { _ in true }, _ body: (Connection) throws -> T) throws -> T {
        let connection = try checkOut()
        var healthy = true
        defer { checkIn(connection, healthy: healthy) }
        do {
            let result = try body(connection)
            healthy = keep(connection)
            return result
        } catch {
            healthy = keep(connection)
            throw error
        }
    }

    private func checkOut() throws -> Connection {
        pthread_mutex_lock(mutex)
        var deadline = MonotonicClock.deadline(after: timeout)
        while idle.isEmpty && open >= capacity {
            if pthread_cond_timedwait(available, mutex, &deadline) == ETIMEDOUT {
                pthread_mutex_unlock(mutex)
                throw StorageError.unavailable("all \(capacity) database connections are busy")
            }
        }
        if let connection = idle.popLast() {
            pthread_mutex_unlock(mutex)
            return connection
        }
        open += 1
        pthread_mutex_unlock(mutex)
        do {
            return try connect()
        } catch {
            pthread_mutex_lock(mutex)
            open -= 1
            pthread_cond_signal(available)
            pthread_mutex_unlock(mutex)
            throw error
        }
    }

    private func checkIn(_ connection: Connection, healthy: Bool) {
        pthread_mutex_lock(mutex)
        if healthy { idle.append(connection) } else { open -= 1 }
        pthread_cond_signal(available)
        pthread_mutex_unlock(mutex)
    }
}
