import ATSRedis
import ATSDomain
import ATSSupport
import ATSFeatures
import ATSPersistence

/// Moves due outbox rows onto the Redis stream. Every `ats worker` runs one, but only the
/// holder of a Redis lock relays, so a deployment has one active relay and the others
/// take over within the lock's lifetime when it dies.
///
/// A row is added first and marked queued after, so a crash in between queues it twice
/// (harmless: delivery claims the row). A row queued long ago and still undelivered is
/// queued again, and so is every undelivered row when Redis comes back empty.
public final class OutboxRelay: Sendable {
    private let database: any Database
    private let settings: RedisSettings
    private let layout: OutboxStream
    private let scan: OutboxScan
    private let requeueAfterSeconds: Double
    private let log: NotificationDelivery.Logger
    private let token: String
    private let thread = BackgroundThread()
    static let lockMilliseconds = 10_000
    static let batch = 500

    public init(database: any Database, redis settings: RedisSettings, layout: OutboxStream = OutboxStream(), metrics: DeliveryMetrics,
                requeueAfterSeconds: Double, owner: String, log: @escaping NotificationDelivery.Logger = { _, _ in }) {
        self.database = database
        self.settings = settings
        self.layout = layout
        self.scan = OutboxScan(database: database, metrics: metrics, log: log)
        self.requeueAfterSeconds = requeueAfterSeconds
        self.log = log
        self.token = owner
    }

    /// One relay pass with `client`; returns how many rows it queued (0 when another
    /// relay holds the lock). `holdsLock` carries the lock between passes.
    public func runOnce(_ client: RedisClient, holdsLock: inout Bool, now: Timestamp = .now()) throws(RedisError) -> Int {
        guard try lock(client, holdsLock: &holdsLock) else { return 0 }
        // A missing epoch key means an empty Redis: whatever was on the stream is gone.
        let fresh = try client.command(["SET", layout.epochKey, token, "NX"]).string == "OK"
        if fresh { log("relay: Redis holds no queue yet; queueing every undelivered row", []) }
        let requeueBefore = fresh ? Timestamp(microseconds: now.microseconds + 1)
            : Timestamp(microseconds: now.microseconds - Int64(requeueAfterSeconds * 1e6))
        var redisError: RedisError?
        let queued = scan.round(shouldStop: { thread.isStopping || redisError != nil }) { tenant in
            let rows = try database.read(tenant: tenant.id) {
                try $0.outbox.relayable(tenant.id, now: now, requeueBefore: requeueBefore, limit: Self.batch)
            }
            guard !rows.isEmpty else { return 0 }
            do throws(RedisError) {
                let replies = try client.pipeline(rows.map { ["XADD", layout.stream, "*"] + layout.fields(tenant: tenant, outboxID: $0.id) })
                if let failure = replies.first(where: { if case .error = $0 { return true } else { return false } }) {
                    throw .server(failure.string ?? "XADD failed")
                }
            } catch {
                redisError = error
                return 0
            }
            let ids = rows.map(\.id)
            try database.transaction(tenant: tenant.id) { try $0.outbox.markQueued(tenant.id, ids: ids, at: now) }
            return rows.count
        }
        if let redisError { throw redisError }
        return queued
    }

    private static let renewScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
    private static let releaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

    private func lock(_ client: RedisClient, holdsLock: inout Bool) throws(RedisError) -> Bool {
        let ttl = String(Self.lockMilliseconds)
        if holdsLock {
            holdsLock = try client.command(["EVAL", Self.renewScript, "1", layout.relayLockKey, token, ttl]).integer == 1
            if !holdsLock { log("relay: lost the relay lock; another worker relays now", []) }
        } else {
            holdsLock = try client.command(["SET", layout.relayLockKey, token, "NX", "PX", ttl]).string == "OK"
            if holdsLock { log("relay: this worker relays the outbox to Redis", []) }
        }
        return holdsLock
    }

    /// Relays every `interval` seconds (at once again while rows keep coming) until `stop`.
    public func start(interval: Double = 0.2) throws(BackgroundThreadError) {
        try thread.start { [self] in
            let client = RedisClient(settings: settings)
            var holdsLock = false
            var failing = false
            while !thread.isStopping {
                do throws(RedisError) {
                    let queued = try runOnce(client, holdsLock: &holdsLock)
                    if failing { log("relay: Redis is back", []) }
                    failing = false
                    _ = thread.pause(queued >= Self.batch ? 0 : interval)
                } catch {
                    if !failing { log("relay: cannot reach Redis; the outbox keeps the messages", [("error", error.description)]) }
                    failing = true
                    holdsLock = false
                    _ = thread.pause(1)
                }
            }
            if holdsLock { _ = try? client.command(["EVAL", Self.releaseScript, "1", layout.relayLockKey, token]) }
        }
    }

    public func stop() { thread.join() }
}
