import ATSRedis
import ATSDomain
import ATSSupport
import Synchronization

/// The consumers of `ats worker`: `concurrency` threads, each with its own Redis
/// connection, reading the stream through the consumer group (XREADGROUP), delivering
/// each entry's outbox row, then acknowledging and deleting the entry (so the stream's
/// length is the queue depth). An entry whose consumer died is taken over with
/// XAUTOCLAIM once it has been idle longer than a delivery lease.
public final class StreamWorker: Sendable {
    private let settings: RedisSettings
    private let delivery: NotificationDelivery
    private let layout: OutboxStream
    private let name: String
    private let log: NotificationDelivery.Logger
    private let threads: [BackgroundThread]
    /// Entries idle this long belong to a consumer that is gone (or stuck past its lease).
    private let reclaimAfterMilliseconds: Int

    public init(redis settings: RedisSettings, delivery: NotificationDelivery, layout: OutboxStream = OutboxStream(), name: String,
                concurrency: Int, log: @escaping NotificationDelivery.Logger = { _, _ in }) {
        self.settings = settings
        self.delivery = delivery
        self.layout = layout
        self.name = name
        self.log = log
        self.threads = (0..<max(1, concurrency)).map { _ in BackgroundThread() }
        self.reclaimAfterMilliseconds = Int((delivery.leaseSeconds + 2) * 1000)
    }

    public func start() throws(BackgroundThreadError) {
        for (index, thread) in threads.enumerated() {
            let consumer = "\(name)-\(index)"
            try thread.start { [self] in consume(as: consumer, on: thread) }
        }
    }

    /// Lets each consumer finish the entry in hand, then returns.
    public func stop() {
        threads.forEach { $0.requestStop() }
        threads.forEach { $0.join() }
    }

    private func consume(as consumer: String, on thread: BackgroundThread) {
        let client = RedisClient(settings: settings)
        var needGroup = true
        var nextReclaim = 0.0
        var failing = false
        while !thread.isStopping {
            do throws(RedisError) {
                if needGroup {
                    try ensureGroup(client)
                    needGroup = false
                }
                if MonotonicClock.seconds() >= nextReclaim {
                    try reclaim(client, consumer: consumer, thread: thread)
                    nextReclaim = MonotonicClock.seconds() + max(1, delivery.leaseSeconds / 4)
                }
                let reply = try client.command(["XREADGROUP", "GROUP", layout.group, consumer, "COUNT", "16", "BLOCK", "1000",
                                                "STREAMS", layout.stream, ">"])
                if failing { log("worker: Redis is back", [("consumer", consumer)]) }
                failing = false
                // [[stream, [entry, …]]], or nil when BLOCK ran out.
                for stream in reply.items ?? [] {
                    for entry in stream.items?.last?.items ?? [] where !thread.isStopping {
                        try handle(entry, client: client)
                    }
                }
            } catch {
                if case .server(let message) = error, message.hasPrefix("NOGROUP") {
                    // Redis lost the stream (restarted empty): make it again; the relay
                    // queues the undelivered rows again.
                    needGroup = true
                    continue
                }
                if !failing { log("worker: cannot read the queue", [("consumer", consumer), ("error", error.description)]) }
                failing = true
                _ = thread.pause(1)
            }
        }
    }

    /// Creates the stream and the group if missing; from id 0, so a group made after
    /// entries were added still reads them.
    func ensureGroup(_ client: RedisClient) throws(RedisError) {
        do {
            try client.command(["XGROUP", "CREATE", layout.stream, layout.group, "0", "MKSTREAM"])
        } catch {
            guard case .server(let message) = error, message.hasPrefix("BUSYGROUP") else { throw error }
        }
    }

    /// Takes over entries idle past the lease (their consumer died mid-delivery).
    private func reclaim(_ client: RedisClient, consumer: String, thread: BackgroundThread) throws(RedisError) {
        var cursor = "0-0"
        repeat {
            let reply = try client.command(["XAUTOCLAIM", layout.stream, layout.group, consumer, String(reclaimAfterMilliseconds), cursor, "COUNT", "64"])
            guard let parts = reply.items, parts.count >= 2, let next = parts[0].string else { return }
            let entries = parts[1].items ?? []
            if !entries.isEmpty { log("worker: reclaimed entries of a consumer that stopped", [("consumer", consumer), ("count", String(entries.count))]) }
            for entry in entries where !thread.isStopping { try handle(entry, client: client) }
            cursor = next
        } while cursor != "0-0" && !thread.isStopping
    }

    private func handle(_ value: RESPValue, client: RedisClient) throws(RedisError) {
        guard let (streamID, entry) = OutboxStream.entry(value) else { return }
        if let entry {
            let outcome = delivery.deliver(tenant: entry.tenant, id: entry.outboxID, key: "\(entry.slug)-\(entry.outboxID)")
            // The database is down: leave the entry pending; it is reclaimed after the lease.
            if outcome == .unavailable { return }
        } else {
            log("worker: dropping a stream entry that names no valid outbox row (tenant, slug, id)", [("entry", streamID)])
        }
        _ = try client.pipeline([["XACK", layout.stream, layout.group, streamID], ["XDEL", layout.stream, streamID]])
    }
}
