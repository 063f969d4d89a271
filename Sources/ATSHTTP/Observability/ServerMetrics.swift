import Synchronization

/// Request counters and latency histograms in Prometheus form. Each event loop writes
/// its own shard (an uncontended lock); a scrape merges the shards.
public final class ServerMetrics: Sendable {
    struct RequestKey: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    struct Histogram {
        var buckets = [Int](repeating: 0, count: ServerMetrics.bounds.count)
        var count = 0
        var sum = 0.0

        mutating func observe(_ seconds: Double) {
            count += 1
            sum += seconds
            for (i, bound) in ServerMetrics.bounds.enumerated() where seconds <= bound { buckets[i] += 1 }
        }

        mutating func merge(_ other: Histogram) {
            count += other.count
            sum += other.sum
            for i in buckets.indices { buckets[i] += other.buckets[i] }
        }
    }

    struct Shard {
        var requests: [RequestKey: Int] = [:]
        var durations: [String: Histogram] = [:]
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

    public init(shards count: Int) {
        shards = (0..<max(count, 1)).map { _ in ShardBox() }
    }

    func record(shard: Int, method: String, route: String, status: Int, seconds: Double) {
        shards[shard % shards.count].mutex.withLock { s in
            s.requests[RequestKey(method: method, route: route, status: status), default: 0] += 1
            s.durations[route, default: Histogram()].observe(seconds)
        }
    }

    /// Adds a source of Prometheus text to `/metrics`.
    public func addCollector(_ render: @escaping @Sendable () -> String) {
        collectors.withLock { $0.append(render) }
    }

    public var openConnections: Int { connectionsOpen.load(ordering: .relaxed) }
    public var rejectedConnections: Int { connectionsRejected.load(ordering: .relaxed) }

    /// The Prometheus text exposition (format 0.0.4).
    public func render() -> String {
        var merged = Shard()
        for shard in shards {
            shard.mutex.withLock { s in
                for (key, n) in s.requests { merged.requests[key, default: 0] += n }
                for (route, h) in s.durations { merged.durations[route, default: Histogram()].merge(h) }
            }
        }
        var out = "# HELP http_requests_total HTTP requests answered, by method, route template and status.\n"
        out += "# TYPE http_requests_total counter\n"
        for (key, n) in merged.requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out += "http_requests_total{method=\(label(key.method)),route=\(label(key.route)),status=\"\(key.status)\"} \(n)\n"
        }
        out += "# HELP http_request_duration_seconds Time from a complete request to its response, by route template.\n"
        out += "# TYPE http_request_duration_seconds histogram\n"
        for (route, h) in merged.durations.sorted(by: { $0.key < $1.key }) {
            for (i, bound) in ServerMetrics.bounds.enumerated() {
                out += "http_request_duration_seconds_bucket{route=\(label(route)),le=\"\(bound)\"} \(h.buckets[i])\n"
            }
            out += "http_request_duration_seconds_bucket{route=\(label(route)),le=\"+Inf\"} \(h.count)\n"
            out += "http_request_duration_seconds_sum{route=\(label(route))} \(h.sum)\n"
            out += "http_request_duration_seconds_count{route=\(label(route))} \(h.count)\n"
        }
        out += "# HELP http_connections_open Client connections currently open.\n"
        out += "# TYPE http_connections_open gauge\n"
        out += "http_connections_open \(openConnections)\n"
        out += "# HELP http_connections_rejected_total Connections closed at once because ATS_MAX_CONNECTIONS were open.\n"
        out += "# TYPE http_connections_rejected_total counter\n"
        out += "http_connections_rejected_total \(rejectedConnections)\n"
        for collector in collectors.withLock({ $0 }) { out += collector() }
        return out
    }

    private func label(_ value: String) -> String {
        var out = "\""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}
