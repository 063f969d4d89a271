import ATSRedis
import ATSSupport
import Synchronization

/// What `/readyz` and `/metrics` learn from Redis. Readiness asks now, with a short
/// timeout; the queue depth is refreshed every few seconds on a thread of its own, so a
/// scrape (answered on the event loop) never waits for Redis.
public final class QueueProbe: Sendable {
    private let client: Mutex<RedisClient>
    private let layout: OutboxStream
    private let latest = Mutex<(queued: Int, inDelivery: Int)?>(nil)
    private let refresher = BackgroundThread()

    public init(redis settings: RedisSettings, layout: OutboxStream = OutboxStream()) {
        var quick = settings
        quick.timeout = min(settings.timeout, 1)
        self.client = Mutex(RedisClient(settings: quick))
        self.layout = layout
    }

    public func isReachable() -> Bool {
        client.withLock { (try? $0.command(["PING"]))?.string == "PONG" }
    }

    /// Entries on the stream (not yet acknowledged and deleted), and how many of them a
    /// consumer holds; nil when Redis does not answer.
    public func depth() -> (queued: Int, inDelivery: Int)? {
        client.withLock { client -> (Int, Int)? in
            guard let replies = try? client.pipeline([["XLEN", layout.stream], ["XPENDING", layout.stream, layout.group]]),
                  let length = replies[0].integer else { return nil }
            // XPENDING on a missing group is an error reply: nothing is in delivery.
            let pending = replies[1].items?.first?.integer ?? 0
            return (Int(length), Int(pending))
        }
    }

    public func startRefreshing(every seconds: Double = 5) throws(BackgroundThreadError) {
        try refresher.start { [self] in
            repeat {
                let depth = depth()
                latest.withLock { $0 = depth }
            } while refresher.pause(seconds)
        }
    }

    public func stop() { refresher.join() }

    /// Prometheus text exposition of the last refresh: the queue depth, or `ats_queue_up 0`.
    public func render() -> String {
        var out = PrometheusText()
        out.family("ats_queue_up", .gauge, help: "Whether Redis answered the last queue-depth check.")
        guard let depth = latest.withLock({ $0 }) else {
            out.sample("ats_queue_up", [], 0)
            return out.text
        }
        out.sample("ats_queue_up", [], 1)
        out.family("ats_queue_depth", .gauge, help: "Outbox entries on the Redis stream, not yet delivered.")
        out.sample("ats_queue_depth", [], depth.queued)
        out.family("ats_queue_in_delivery", .gauge, help: "Entries a worker has read and not yet acknowledged.")
        out.sample("ats_queue_in_delivery", [], depth.inDelivery)
        return out.text
    }
}
