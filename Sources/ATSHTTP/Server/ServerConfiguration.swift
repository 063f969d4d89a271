/// Everything the HTTP server needs to know, in plain values (the application maps its
/// own configuration onto this; the HTTP layer knows nothing about ATS).
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 asks the kernel for a free port (tests); `HTTPServer.port` tells which.
    public var port = 8000
    /// Event-loop threads.
    public var threads = 2
    /// Threads and queue length of the pool that runs `.blocking` handlers.
    public var workers = 8
    public var workerQueue = 1024
    public var limits = HTTPParserLimits()
    public var maxConnections = 10_000
    /// Seconds allowed for a whole request head, from its first byte (or from accept).
    public var headerTimeout = 10.0
    /// Seconds a body may go without progress; also the grace before `bodyMinimumRate`.
    public var bodyTimeout = 30.0
    /// Bytes per second a body must average once it has been arriving for `bodyTimeout`
    /// seconds (a body of n bytes has `bodyTimeout + n / rate` seconds); 0: no minimum.
    public var bodyMinimumRate = 1024.0
    /// Request body bytes all connections together may hold (read, or with a handler);
    /// a body that would take more is refused with 503 and `Retry-After`.
    public var maxBufferedBodies = 64 << 20
    /// Seconds a keep-alive connection may sit idle between requests.
    public var idleTimeout = 60.0
    /// Seconds a response may go without write progress (a client that stops reading).
    public var writeTimeout = 30.0
    public var shutdownTimeout = 10.0
    /// Queued response bytes past which a connection stops reading (back-pressure).
    public var maxPendingOutput = 256 * 1024
    public var accessLog = true
    public var serverName = "ats"

    public init() {}
}
