import ATSSupport
import CLinux
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Something registered with an event loop for readiness of its file descriptor.
protocol EventHandler: AnyObject {
    func handleEvents(_ mask: UInt32)
}

/// One epoll instance driven by one thread. Level-triggered: a handler that leaves data
/// unread is told again, so no readiness is ever lost. Other threads talk to the loop
/// only through `execute`, which queues a closure and wakes it through an eventfd.
/// A timerfd ticks every `tickInterval` for timeouts and the cached `Date`.
final class EventLoop: @unchecked Sendable {
    // Invariant: everything below except `tasks` and `wakeFD` is touched on the loop's thread only.
    let index: Int
    private let epfd: Int32
    private let wakeFD: Int32
    private let timerFD: Int32
    private let tasks = Mutex<[@Sendable () -> Void]>([])
    /// Handlers by descriptor, with the registration's generation: epoll data carries
    /// both, so a stale event for a closed descriptor never reaches the new connection
    /// that reused its number within the same batch.
    private var handlers: [(handler: any EventHandler, generation: UInt32)?] = []
    private var generation: UInt32 = 0
    private var running = true
    /// Monotonic nanoseconds, refreshed after every wait.
    private(set) var now: UInt64 = EventLoop.monotonicNow()
    var onTick: () -> Void = {}
    var beforeSleep: () -> Void = {}

    static let tickInterval: UInt64 = 250_000_000

    init(index: Int) throws {
        self.index = index
        epfd = ats_epoll_create()
        guard epfd >= 0 else { throw SystemError("epoll_create1") }
        wakeFD = ats_eventfd()
        timerFD = ats_timerfd()
        guard wakeFD >= 0, timerFD >= 0, ats_timerfd_arm(timerFD, Int64(EventLoop.tickInterval)) == 0 else {
            throw SystemError("eventfd/timerfd")
        }
        guard ats_epoll_ctl(epfd, EPOLL_CTL_ADD, wakeFD, ats_EPOLLIN, UInt64(wakeFD)) == 0,
              ats_epoll_ctl(epfd, EPOLL_CTL_ADD, timerFD, ats_EPOLLIN, UInt64(timerFD)) == 0 else {
            throw SystemError("epoll_ctl")
        }
    }

    deinit {
        Glibc.close(epfd)
        Glibc.close(wakeFD)
        Glibc.close(timerFD)
    }

    static func monotonicNow() -> UInt64 { MonotonicClock.nanoseconds() }

    // MARK: Registration (loop thread)

    func register(_ fd: Int32, _ handler: any EventHandler, events: UInt32) -> Bool {
        let slot = Int(fd)
        if slot >= handlers.count { handlers.append(contentsOf: repeatElement(nil, count: slot - handlers.count + 1)) }
        generation &+= 1
        handlers[slot] = (handler, generation)
        return ats_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, events, key(fd)) == 0
    }

    private func key(_ fd: Int32) -> UInt64 {
        let registered = Int(fd) < handlers.count ? handlers[Int(fd)]?.generation ?? 0 : 0
        return UInt64(registered) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    /// Registers a descriptor several loops share (the listener), waking one loop per event.
    func registerExclusive(_ fd: Int32, _ handler: any EventHandler) -> Bool {
        register(fd, handler, events: ats_EPOLLIN | UInt32(EPOLLEXCLUSIVE.rawValue))
    }

    func modify(_ fd: Int32, events: UInt32) {
        _ = ats_epoll_ctl(epfd, EPOLL_CTL_MOD, fd, events, key(fd))
    }

    func deregister(_ fd: Int32) {
        _ = ats_epoll_ctl(epfd, EPOLL_CTL_DEL, fd, 0, 0)
        if Int(fd) < handlers.count { handlers[Int(fd)] = nil }
    }

    // MARK: Cross-thread

    /// Runs `task` on the loop's thread soon. Safe from any thread.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = tasks.withLock { queue in
            queue.append(task)
            return queue.count == 1
        }
        if wasEmpty {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFD, &one, 8)
        }
    }

    /// Ends `run` after the current iteration (loop thread).
    func stop() { running = false }

    // MARK: The loop

    func run() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while running {
            beforeSleep()
            let count = ats_epoll_wait(epfd, events, Int32(capacity), -1)
            now = EventLoop.monotonicNow()
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in 0..<Int(count) {
                let data = ats_epoll_event_data(events + i)
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: data))
                let mask = ats_epoll_event_mask(events + i)
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = Glibc.read(wakeFD, &value, 8)
                    runTasks()
                } else if fd == timerFD {
                    var expirations: UInt64 = 0
                    _ = Glibc.read(timerFD, &expirations, 8)
                    onTick()
                } else if fd >= 0, Int(fd) < handlers.count, let entry = handlers[Int(fd)], UInt64(entry.generation) == data >> 32 {
                    entry.handler.handleEvents(mask)
                }
            }
        }
        beforeSleep()
    }

    private func runTasks() {
        let batch = tasks.withLock { queue in
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            return batch
        }
        for task in batch { task() }
    }
}

/// Carries a loop-confined value through a `@Sendable` closure that will run back on
/// that same loop (e.g. a connection handed to a worker and back).
struct LoopBound<Value>: @unchecked Sendable {
    let value: Value
}
