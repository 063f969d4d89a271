import ATSSupport
import Synchronization

/// Request counters and latency histograms in Prometheus form. Each event loop writes
/// its own shard (an uncontended lock); a scrape merges the shards.
public final class ServerMetrics: Sendable {
    struct RequestKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    /// One route's counts and latencies: a request costs one dictionary lookup (by the
    /// route template) and a short scan of the few method/status pairs the route sees.
    struct RouteStats {
        var counts: [(method: String, status: Int, count: Int)] = []
        var durations = Histogram(bounds: ServerMetrics.bounds)

        mutating func add(method: String, status: Int, count: Int) {
            if let i = counts.firstIndex(where: { $0.status == status && $0.method == method }) {
                counts[i].count += count
            } else {
                counts.append((method, status, count))
            }
        }
    }

    struct Shard {
        var routes: [String: RouteStats] = [:]
    }

    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private final class ShardBox: Sendable {
        let mutex = Mutex(Shard())
    }

    private let shards: [ShardBox]
    /// Metrics of other layers, appended to every scrape (the HTTP layer knows nothing
    /// of what they measure).
    private let collectors = Mutex<[@Sendable () -> String]>([])
    let connectionsOpen = Atomic<Int>(0)
    let connectionsRejected = Atomic<Int>(0)
    /// Request body bytes held across all connections (the budget `maxBufferedBodies`).
    let bodyBytesBuffered = Atomic<Int>(0)
    let bodiesRefused = Atomic<Int>(0)

    public init(shards count: Int) {
        shards = (0..<max(count, 1)).map { _ in ShardBox() }
    }

    /// The methods recorded by name; any other token is `other`, so a client cannot grow
    /// the label set (and `/metrics`) without bound. Routes are the router's templates.

    func record(shard: Int, method: String, route: String, status: Int, seconds: Double) {
        let method = ServerMetrics.isKnown(method) ? method : "other"
        shards[shard % shards.count].mutex.withLock { s in
            s.routes[route, default: RouteStats()].add(method: method, status: status, count: 1)
            s.routes[route]?.durations.observe(seconds)
        }
    }

    private static func isKnown(_ method: String) -> Bool {
        switch method {
        case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT": return true
        default: return false
        }
    }

    /// Adds `delta` to the body bytes held unless that would pass `limit` (a release,
    /// `delta` ≤ 0, always succeeds).
    func adjustBufferedBodies(by delta: Int, limit: Int) -> Bool {
        if delta <= 0 {
            if delta < 0 { bodyBytesBuffered.subtract(-delta, ordering: .relaxed) }
            return true
        }
        var total = bodyBytesBuffered.load(ordering: .relaxed)
        while total + delta <= limit {
            let (exchanged, original) = bodyBytesBuffered.compareExchange(expected: total, desired: total + delta, ordering: .relaxed)
            if exchanged { return true }
            total = original
        }
        return false
    }

    /// Adds a source of Prometheus text to `/metrics`.
    public func addCollector(_ render: @escaping @Sendable () -> String) {
        collectors.withLock { $0.append(render) }
    }

    public var openConnections: Int { connectionsOpen.load(ordering: .relaxed) }
    public var rejectedConnections: Int { connectionsRejected.load(ordering: .relaxed) }
    public var bufferedBodyBytes: Int { bodyBytesBuffered.load(ordering: .relaxed) }
    public var refusedBodies: Int { bodiesRefused.load(ordering: .relaxed) }

    /// The Prometheus text exposition (format 0.0.4).
    public func render() -> String {
        var merged = Shard()
        for shard in shards {
            shard.mutex.withLock { s in
                for (route, stats) in s.routes {
                    for entry in stats.counts { merged.routes[route, default: RouteStats()].add(method: entry.method, status: entry.status, count: entry.count) }
                    merged.routes[route, default: RouteStats()].durations.merge(stats.durations)
                }
            }
        }
        let requests = merged.routes.flatMap { route, stats in stats.counts.map { (key: RequestKey(method: $0.method, route: route, status: $0.status), n: $0.count) } }
        var out = PrometheusText()
        out.family("http_requests_total", .counter, help: "HTTP requests answered, by method, route template and status.")
        for (key, n) in requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out.sample("http_requests_total", [("method", key.method), ("route", key.route), ("status", String(key.status))], n)
        }
        out.family("http_request_duration_seconds", .histogram, help: "Time from a complete request to its response, by route template.")
        for (route, stats) in merged.routes.sorted(by: { $0.key < $1.key }) {
            out.histogram("http_request_duration_seconds", [("route", route)], stats.durations)
        }
        out.family("http_connections_open", .gauge, help: "Client connections currently open.")
        out.sample("http_connections_open", [], openConnections)
        out.family("http_connections_rejected_total", .counter, help: "Connections closed at once because ATS_MAX_CONNECTIONS were open.")
        out.sample("http_connections_rejected_total", [], rejectedConnections)
        out.family("http_request_body_bytes_buffered", .gauge, help: "Request body bytes held in memory across all connections.")
        out.sample("http_request_body_bytes_buffered", [], bufferedBodyBytes)
        out.family("http_request_bodies_refused_total", .counter, help: "Requests answered 503 because ATS_MAX_BUFFERED_BODIES was reached.")
        out.sample("http_request_bodies_refused_total", [], refusedBodies)
        for collector in collectors.withLock({ $0 }) { out.append(collector()) }
        return out.text
    }
}
