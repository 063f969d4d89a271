import ATSSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Turns an error thrown by a handler into the response the client gets. The
/// application supplies one (its single error-to-problem+json mapping).
public typealias ErrorResponder = @Sendable (any Error, RequestContext) -> HTTPResponse

/// State shared by every loop and worker of one server (immutable, or atomic).
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let router: Router
    let metrics: ServerMetrics
    let pool: WorkerPool
    let errorResponder: ErrorResponder
    /// Round-robin position for dealing accepted connections to loops.
    let nextLoop = Atomic<Int>(0)

    init(configuration: ServerConfiguration, router: Router, metrics: ServerMetrics, pool: WorkerPool, errorResponder: @escaping ErrorResponder) {
        self.configuration = configuration
        self.router = router
        self.metrics = metrics
        self.pool = pool
        self.errorResponder = errorResponder
    }

    /// A parser for one connection: bodies up to `limits.maxBody`, or up to what the
    /// route a head names declares (checked before any of the body is read).
    func makeParser() -> HTTPParser {
        let router = self.router
        return HTTPParser(limits: configuration.limits) { head in router.bodyLimit(method: head.method, path: head.path) }
    }

    /// The default mapping: an `HTTPError` renders itself; anything else is a bug and
    /// becomes a 500 that names only the request id.
    static let defaultErrorResponder: ErrorResponder = { error, context in
        if let httpError = error as? HTTPError { return httpError.response }
        return HTTPError(500, "An unexpected error occurred; quote request id \(context.requestID) when reporting it.").response
    }
}

/// The HTTP/1.1 server: one listening socket shared by `threads` event loops
/// (EPOLLEXCLUSIVE wakes one loop per new connection), plus a worker pool.
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    public let metrics: ServerMetrics
    private let router: Router
    private let errorResponder: ErrorResponder
    private let running = Mutex<Running?>(nil)
    private let boundPort = Atomic<Int>(0)

    private struct Running: @unchecked Sendable {
        let core: ServerCore
        let listenFD: Int32
        let contexts: [LoopContext]
        let threads: [OSThread]
        let stopped: [StopFlag]
    }

    public init(configuration: ServerConfiguration, router: Router, metrics: ServerMetrics? = nil, errorResponder: ErrorResponder? = nil) {
        self.configuration = configuration
        self.router = router
        self.metrics = metrics ?? ServerMetrics(shards: configuration.threads)
        self.errorResponder = errorResponder ?? ServerCore.defaultErrorResponder
    }

    /// The port actually bound (useful with port 0).
    public var port: Int { boundPort.load(ordering: .relaxed) }

    /// Binds and starts the loops and workers; returns once the server accepts connections.
    public func start() throws {
        let threadCount = max(1, configuration.threads)
        let (listenFD, port) = try Posix.listen(host: configuration.host, port: configuration.port, backlog: 4096)
        boundPort.store(port, ordering: .relaxed)
        let pool = try WorkerPool(threads: max(1, configuration.workers), queueCapacity: max(1, configuration.workerQueue))
        let core = ServerCore(configuration: configuration, router: router, metrics: metrics, pool: pool, errorResponder: errorResponder)
        var contexts: [LoopContext] = []
        var threads: [OSThread] = []
        let stopped = (0..<threadCount).map { _ in StopFlag() }
        for index in 0..<threadCount {
            contexts.append(LoopContext(loop: try EventLoop(index: index), core: core, listenFD: listenFD))
        }
        for context in contexts { context.siblings = contexts }
        for (index, context) in contexts.enumerated() {
            guard context.start() else { throw SystemError("epoll_ctl(listener)") }
            let bound = LoopBound(value: context)
            let flags = LoopBound(value: stopped)
            threads.append(try OSThread(name: "ats-loop-\(index)") {
                bound.value.loop.run()
                flags.value[index].flag.store(true, ordering: .releasing)
            })
        }
        running.withLock { $0 = Running(core: core, listenFD: listenFD, contexts: contexts, threads: threads, stopped: stopped) }
    }

    /// Graceful shutdown: stop accepting, close idle connections, let in-flight requests
    /// finish (their responses say `Connection: close`), and force-close whatever is left
    /// after `shutdownTimeout`. Returns when every loop has stopped.
    public func shutdown() {
        guard let state = running.withLock({ value -> Running? in
            defer { value = nil }
            return value
        }) else { return }
        let deadline = EventLoop.monotonicNow() + UInt64(configuration.shutdownTimeout * 1e9)
        for context in state.contexts {
            let bound = LoopBound(value: context)
            context.loop.execute { bound.value.beginDrain() }
        }
        // Leave a little of the budget for closing sockets and joining threads.
        let forceAt = deadline - min(UInt64(configuration.shutdownTimeout * 1e9) / 10, 500_000_000)
        var forced = false
        while !state.stopped.allSatisfy({ $0.flag.load(ordering: .acquiring) }) {
            if !forced && EventLoop.monotonicNow() >= forceAt {
                forced = true
                for context in state.contexts {
                    let bound = LoopBound(value: context)
                    context.loop.execute { bound.value.forceClose() }
                }
            }
            usleep(2_000)
        }
        state.threads.forEach { $0.join() }
        state.contexts.forEach { $0.detach() }
        Posix.close(state.listenFD)
        state.core.pool.shutdown(deadline: deadline)
    }
}

/// Set by a loop's thread when its loop has returned.
private final class StopFlag: Sendable {
    let flag = Atomic<Bool>(false)
}
