import ATSCore
import ATSNotify
import ATSStorage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The embedded default for background work (no Redis): a thread in `ats serve` that
/// delivers due outbox rows, tenant by tenant (row-level security scopes every read to
/// one tenant). A delivered row is marked `sent`; a failure is retried with exponential
/// back-off and jitter, and after `maxAttempts` the row is `dead` with its last error.
/// Nothing is lost across restarts: the outbox in the database is the queue.
public final class OutboxDispatcher: Sendable {
    public typealias Logger = @Sendable (_ message: String, _ fields: [(String, String)]) -> Void

    private let database: any Database
    private let transport: any MailTransport
    private let from: MailAddress
    private let domain: String
    public let maxAttempts: Int
    private let log: Logger
    public let metrics = DeliveryMetrics()
    private let rounds = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let thread = Mutex<pthread_t?>(nil)

    public init(database: any Database, transport: any MailTransport, from: MailAddress, domain: String, maxAttempts: Int = 8,
                log: @escaping Logger = { _, _ in }) {
        self.database = database
        self.transport = transport
        self.from = from
        self.domain = domain
        self.maxAttempts = max(1, maxAttempts)
        self.log = log
    }

    /// Seconds to wait before attempt `attempt + 1`: 2^attempt, ±50 % jitter, at most an hour.
    public static func backoff(afterAttempt attempt: Int) -> Double {
        let base = min(3600.0, pow(2.0, Double(min(attempt, 12))))
        return base * Double.random(in: 0.5..<1.5)
    }

    /// Delivers every due row once; returns how many rows it handled.
    @discardableResult
    public func runOnce(now: Timestamp = .now(), batch: Int = 100) -> Int {
        let tenants: [Tenant]
        do {
            tenants = try database.read(tenant: nil) { try $0.tenants.list() }
        } catch {
            log("outbox: cannot list tenants", [("error", "\(error)")])
            return 0
        }
        var handled = 0
        // The backlog gauge costs a count per tenant: refresh it every tenth round.
        let refreshBacklog = rounds.add(1, ordering: .relaxed).newValue % 10 == 1
        var backlog: [OutboxStatus: Int] = [:]
        for tenant in tenants where !stopping.load(ordering: .relaxed) {
            if refreshBacklog, let counts = try? database.read(tenant: tenant.id, { try $0.outbox.countByStatus(tenant.id) }) {
                backlog.merge(counts, uniquingKeysWith: +)
            }
            let due: [OutboxMessage]
            do {
                due = try database.read(tenant: tenant.id) { try $0.outbox.due(tenant.id, now: now, limit: batch) }
            } catch {
                log("outbox: cannot read due rows", [("tenant", tenant.slug), ("error", "\(error)")])
                continue
            }
            for message in due where !stopping.load(ordering: .relaxed) {
                deliver(message, tenant: tenant)
                handled += 1
            }
        }
        if refreshBacklog { metrics.setBacklog(backlog) }
        return handled
    }

    private func deliver(_ message: OutboxMessage, tenant: Tenant) {
        let attempt = message.attempts + 1
        do {
            let mail = try NotificationTemplates.compose(message, from: from, domain: domain)
            do {
                try transport.deliver(mail, key: "\(tenant.slug)-\(message.id)")
            } catch {
                let retryAt: Timestamp? = attempt >= maxAttempts ? nil
                    : Timestamp(microseconds: Timestamp.now().microseconds + Int64(OutboxDispatcher.backoff(afterAttempt: message.attempts) * 1e6))
                try database.transaction(tenant: tenant.id) { try $0.outbox.markFailed(tenant.id, id: message.id, error: "\(error)", retryAt: retryAt) }
                metrics.recordFailure(dead: retryAt == nil)
                log(retryAt == nil ? "outbox: delivery failed for good" : "outbox: delivery failed; will retry",
                    [("tenant", tenant.slug), ("id", String(message.id)), ("attempt", String(attempt)), ("error", "\(error)")])
                return
            }
            let sentAt = Timestamp.now()
            try database.transaction(tenant: tenant.id) { try $0.outbox.markSent(tenant.id, id: message.id, at: sentAt) }
            metrics.recordSent(latencySeconds: Double(sentAt.microseconds - message.createdAt.microseconds) / 1e6)
        } catch let error as NotificationTemplates.UnknownKind {
            // No retry can fix a message we cannot compose.
            try? database.transaction(tenant: tenant.id) { try $0.outbox.markFailed(tenant.id, id: message.id, error: error.description, retryAt: nil) }
            metrics.recordFailure(dead: true)
            log("outbox: message cannot be composed", [("tenant", tenant.slug), ("id", String(message.id)), ("error", error.description)])
        } catch {
            // Marking failed (the database is down): the row stays due and is tried again.
            log("outbox: cannot record the delivery", [("tenant", tenant.slug), ("id", String(message.id)), ("error", "\(error)")])
        }
    }

    /// Runs `runOnce` every `interval` seconds on its own thread until `stop`.
    public func start(interval: Double = 1) throws {
        final class Box {
            let body: () -> Void
            init(_ body: @escaping () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Box { [self] in
            while !stopping.load(ordering: .relaxed) {
                runOnce()
                var waited = 0.0
                while waited < interval && !stopping.load(ordering: .relaxed) {
                    usleep(50_000)
                    waited += 0.05
                }
            }
        }).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, nil, { arg in
            guard let arg else { return nil }
            Unmanaged<Box>.fromOpaque(arg).takeRetainedValue().body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw StorageError.internalError("cannot start the outbox dispatcher thread")
        }
        thread.withLock { $0 = handle }
    }

    /// Finishes the message in hand and stops.
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        if let handle = thread.withLock({ value -> pthread_t? in defer { value = nil }; return value }) {
            pthread_join(handle, nil)
        }
    }
}
