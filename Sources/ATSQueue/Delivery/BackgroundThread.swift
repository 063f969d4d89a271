import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A plain POSIX thread running a loop body until `stop`: the delivery loops block on
/// sockets (SMTP, Redis, the database), so each gets a thread of its own rather than a
/// slot in the HTTP worker pool.
public final class BackgroundThread: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let handle = Mutex<pthread_t?>(nil)

    public init() {}

    public var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Starts `body` on a new thread; it should return soon after `isStopping` turns true.
    public func start(_ body: @escaping @Sendable () -> Void) throws(BackgroundThreadError) {
        final class Box {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            guard let arg else { return nil }
            Unmanaged<Box>.fromOpaque(arg).takeRetainedValue().body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw BackgroundThreadError()
        }
        handle.withLock { $0 = thread }
    }

    /// Sleeps up to `seconds`, waking early when stopping; false when stopping.
    public func pause(_ seconds: Double) -> Bool {
        var waited = 0.0
        while waited < seconds && !isStopping {
            usleep(UInt32(min(0.05, seconds - waited) * 1e6))
            waited += 0.05
        }
        return !isStopping
    }

    /// Asks the loop to stop; `join` waits for it.
    public func requestStop() { stopping.store(true, ordering: .relaxed) }

    public func join() {
        requestStop()
        if let thread = handle.withLock({ value -> pthread_t? in defer { value = nil }; return value }) {
            pthread_join(thread, nil)
        }
    }
}

public struct BackgroundThreadError: Error, CustomStringConvertible {
    public var description: String { "cannot start a background thread" }
}
