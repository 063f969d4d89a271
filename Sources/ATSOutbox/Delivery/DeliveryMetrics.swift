import ATSDomain
import ATSSupport
import Synchronization

/// What notification delivery reports to `/metrics`: deliveries by result, the time from
/// a row being written to its mail being sent, and the outbox backlog by status.
public final class DeliveryMetrics: Sendable {
    private struct State {
        var results: [String: Int] = ["sent": 0, "retry": 0, "dead": 0]
        var latency = Histogram(bounds: DeliveryMetrics.bounds)
        var backlog: [OutboxStatus: Int] = [:]
    }

    static let bounds: [Double] = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]
    private let state = Mutex(State())

    public init() {}

    func recordSent(latencySeconds: Double) {
        state.withLock { s in
            s.results["sent", default: 0] += 1
            s.latency.observe(latencySeconds)
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
        var out = PrometheusText()
        out.family("ats_notifications_total", .counter, help: "Notification delivery attempts by result.")
        for result in ["sent", "retry", "dead"] { out.sample("ats_notifications_total", [("result", result)], s.results[result] ?? 0) }
        out.family("ats_notification_delivery_seconds", .histogram, help: "Time from the outbox row being written to its mail being sent.")
        out.histogram("ats_notification_delivery_seconds", [], s.latency)
        out.family("ats_outbox_messages", .gauge, help: "Outbox rows by status, all tenants (refreshed every few seconds).")
        for status in OutboxStatus.allCases { out.sample("ats_outbox_messages", [("status", status.rawValue)], s.backlog[status] ?? 0) }
        return out.text
    }
}
