import ATSDomain
import ATSSupport
import ATSNotify
import ATSFeatures
import ATSPersistence

/// The embedded default for background work (no Redis): a thread in `ats serve` that
/// delivers due outbox rows. Nothing is lost across restarts: the outbox in the database
/// is the queue, and each row is claimed before it is sent, so several `serve`
/// processes on one database never send a row twice.
public final class OutboxDispatcher: Sendable {
    private let database: any Database
    public let delivery: NotificationDelivery
    private let scan: OutboxScan
    private let thread = BackgroundThread()

    public init(database: any Database, delivery: NotificationDelivery, log: @escaping NotificationDelivery.Logger = { _, _ in }) {
        self.database = database
        self.delivery = delivery
        self.scan = OutboxScan(database: database, metrics: delivery.metrics, log: log)
    }

    public convenience init(database: any Database, transport: any MailTransport, from: MailAddress, domain: String, maxAttempts: Int = 8,
                            opener: NotificationTemplates.SecretOpener? = nil, log: @escaping NotificationDelivery.Logger = { _, _ in }) {
        self.init(database: database, delivery: NotificationDelivery(database: database, transport: transport, from: from, domain: domain,
                                                                     maxAttempts: maxAttempts, opener: opener, log: log), log: log)
    }

    public var metrics: DeliveryMetrics { delivery.metrics }

    /// Delivers every due row once; returns how many rows it handled.
    @discardableResult
    public func runOnce(now: Timestamp = .now(), batch: Int = 100) -> Int {
        scan.round(shouldStop: { thread.isStopping }) { tenant in
            let due = try database.read(tenant: tenant.id) { try $0.outbox.due(tenant.id, now: now, limit: batch) }
            for message in due where !thread.isStopping {
                _ = delivery.deliver(tenant: tenant.id, id: message.id, key: "\(tenant.slug)-\(message.id)", now: now)
            }
            return due.count
        }
    }

    /// Runs `runOnce` every `interval` seconds on its own thread until `stop`.
    public func start(interval: Double = 1) throws {
        try thread.start { [self] in
            while !thread.isStopping {
                // Rows were due: more may be waiting, so go again almost at once.
                _ = thread.pause(runOnce() == 0 ? interval : 0.01)
            }
        }
    }

    /// Finishes the message in hand and stops.
    public func stop() { thread.join() }
}
