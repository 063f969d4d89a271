import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// A joinable OS thread running a closure. The event loops, the HTTP workers and the
/// delivery loops block in epoll_wait, a database call or a socket, so they need real
/// threads rather than slots in the Swift task pool.
public final class OSThread: @unchecked Sendable {
    // Invariant: written once in init, read by join.
    private var handle = pthread_t()

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body` on a new thread named `name` (at most 15 bytes are kept).
    public init(name: String, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        let threadName = String(name.prefix(15))
        let box = Unmanaged.passRetained(Box {
            ats_set_thread_name(threadName)
            body()
        }).toOpaque()
        let rc = pthread_create(&handle, nil, { arg in
            guard let arg else { return nil }
            Unmanaged<Box>.fromOpaque(arg).takeRetainedValue().body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SystemError("pthread_create", errno: rc)
        }
    }

    public func join() {
        pthread_join(handle, nil)
    }
}
