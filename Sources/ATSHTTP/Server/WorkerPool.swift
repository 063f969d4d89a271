import ATSSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A fixed set of threads running jobs that may block (database calls), with a bounded
/// queue: when it is full `submit` says no at once, and the server answers 503, instead
/// of letting latency and memory grow without bound.
final class WorkerPool: @unchecked Sendable {
    private struct State {
        /// A FIFO: jobs taken are set to nil (releasing their requests at once) and the
        /// front is compacted away once it is half the array.
        var queue: [(@Sendable () -> Void)?] = []
        var head = 0
        var stopping = false
        var pendingCount: Int { queue.count - head }
    }

    // pthread mutex + condition: Synchronization's Mutex has no condition variable.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var state = State()
    private var threads: [OSThread] = []
    let capacity: Int

    init(threads count: Int, queueCapacity: Int) throws {
        capacity = queueCapacity
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        for i in 0..<count {
            threads.append(try OSThread(name: "ats-worker-\(i)") { [self] in work() })
        }
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(condition)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Queues `job`; false when the queue is full or the pool is stopping.
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard !state.stopping, state.pendingCount < capacity else { return false }
        state.queue.append(job)
        pthread_cond_signal(condition)
        return true
    }

    /// Lets queued jobs finish, then ends the threads. Waits at most until `deadline`
    /// (monotonic ns); a job stuck past it is abandoned with its thread.
    func shutdown(deadline: UInt64) {
        pthread_mutex_lock(mutex)
        state.stopping = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
        while EventLoop.monotonicNow() < deadline {
            pthread_mutex_lock(mutex)
            let idle = state.pendingCount == 0 && busy == 0
            pthread_mutex_unlock(mutex)
            if idle { break }
            usleep(5_000)
        }
        pthread_mutex_lock(mutex)
        let done = state.pendingCount == 0 && busy == 0
        pthread_mutex_unlock(mutex)
        if done { threads.forEach { $0.join() } }
    }

    private var busy = 0

    private func work() {
        while true {
            pthread_mutex_lock(mutex)
            while state.pendingCount == 0 && !state.stopping {
                pthread_cond_wait(condition, mutex)
            }
            if state.pendingCount == 0 {
                pthread_mutex_unlock(mutex)
                return
            }
            let job = state.queue[state.head]
            state.queue[state.head] = nil
            state.head += 1
            if state.head == state.queue.count {
                state.queue.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head >= 64 && state.head * 2 >= state.queue.count {
                state.queue.removeFirst(state.head)
                state.head = 0
            }
            busy += 1
            pthread_mutex_unlock(mutex)
            job?()
            pthread_mutex_lock(mutex)
            busy -= 1
            pthread_mutex_unlock(mutex)
        }
    }
}
