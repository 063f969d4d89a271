import ATSCore
import Synchronization

/// What notification delivery reports to `/metrics`: deliveries by result, the time from
/// a row being written to its mail being sent, and the outbox backlog by status.
public final class DeliveryMetrics: Sendable {
    private struct State {
        var results: [String: Int] = ["sent": 0, "retry": 0, "dead": 0]
        var buckets = [Int](repeating: 0, count: DeliveryMetrics.bounds.count)
        var count = 0
        var sum = 0.0
        var backlog: [OutboxStatus: Int] = [:]
    }

    static let bounds: [Double] = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]
    private let state = Mutex(State())

    public init() {}

    func recordSent(latencySeconds: Double) {
        state.withLock { s in
            s.results["sent", default: 0] += 1
            s.count += 1
            s.sum += latencySeconds
            for (i, bound) in DeliveryMetrics.bounds.enumerated() where latencySeconds <= bound { s.buckets[i] += 1 }
        }
    }

    func recordFailure(dead: Bool) {
        state.withLock { $0.results[dead ? "dead" : "retry", default: 0] += 1 }
    }

    func setBacklog(_ counts: [OutboxStatus: Int]) {
        state.withLock { $0.backlog = counts }
    }

    /// Prometheus text exposition.
    public func render() -> String {
        let s = state.withLock { $0 }
        var out = "# HELP ats_notifications_total Notification delivery attempts by result.\n# TYPE ats_notifications_total counter\n"
        for result in ["sent", "retry", "dead"] { out += "ats_notifications_total{result=\"\(result)\"} \(s.results[result] ?? 0)\n" }
        out += "# HELP ats_notification_delivery_seconds Time from the outbox row being written to its mail being sent.\n"
        out += "# TYPE ats_notification_delivery_seconds histogram\n"
        for (i, bound) in DeliveryMetrics.bounds.enumerated() { out += "ats_notification_delivery_seconds_bucket{le=\"\(bound)\"} \(s.buckets[i])\n" }
        out += "ats_notification_delivery_seconds_bucket{le=\"+Inf\"} \(s.count)\nats_notification_delivery_seconds_sum \(s.sum)\n"
        out += "ats_notification_delivery_seconds_count \(s.count)\n"
        out += "# HELP ats_outbox_messages Outbox rows by status, all tenants (refreshed every few seconds).\n# TYPE ats_outbox_messages gauge\n"
        for status in OutboxStatus.allCases { out += "ats_outbox_messages{status=\"\(status.rawValue)\"} \(s.backlog[status] ?? 0)\n" }
        return out
    }
}
