import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A plain POSIX thread running a loop body until `stop`: the delivery loops block on
/// sockets (SMTP, Redis, the database), so each gets a thread of its own rather than a
/// slot in the HTTP worker pool.
public final class BackgroundThread: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let thread = Mutex<OSThread?>(nil)

    public init() {}

    public var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Starts `body` on a new thread; it should return soon after `isStopping` turns true.
    public func start(name: String = "ats-background", _ body: @escaping @Sendable () -> Void) throws(BackgroundThreadError) {
        do {
            let started = try OSThread(name: name, body)
            thread.withLock { $0 = started }
        } catch {
            throw BackgroundThreadError()
        }
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
        thread.withLock { value -> OSThread? in defer { value = nil }; return value }?.join()
    }
}

public struct BackgroundThreadError: Error, CustomStringConvertible {
    public var description: String { "cannot start a background thread" }
}
