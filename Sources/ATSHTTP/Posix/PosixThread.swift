import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// A joinable OS thread running a closure (the event loops and workers need real
/// threads that block in epoll_wait or a database call, not the Swift task pool).
final class PosixThread: @unchecked Sendable {
    private var handle = pthread_t()

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    init(name: String, _ body: @escaping @Sendable () -> Void) throws {
        let threadName = String(name.prefix(15))
        let box = Unmanaged.passRetained(Box {
            ats_set_thread_name(threadName)
            body()
        }).toOpaque()
        let rc = pthread_create(&handle, nil, { arg in
            guard let arg else { return nil }
            let box = Unmanaged<Box>.fromOpaque(arg).takeRetainedValue()
            box.body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SystemError("pthread_create", errno: rc)
        }
    }

    func join() {
        pthread_join(handle, nil)
    }
}
