import ATSDomain
import ATSSupport
import ATSNotify
import ATSFeatures
import ATSPersistence
#if canImport(Glibc)
import Glibc
#endif

/// Delivers one outbox row, the same way for the embedded dispatcher and `ats worker`:
/// claim the row (a lease in the database, so two processes never send it at once),
/// compose and send the mail, then record `sent`, or the failure with the next try
/// (exponential back-off with jitter) or `dead` after `maxAttempts`.
public final class NotificationDelivery: Sendable {
    public typealias Logger = @Sendable (_ message: String, _ fields: [(String, String)]) -> Void

    public enum Outcome: Equatable, Sendable {
        case sent, retry, dead
        /// Not due, already delivered or dead, or claimed by a delivery in progress.
        case skipped
        /// The database could not be reached: nothing was recorded; try again later.
        case unavailable
    }

    let database: any Database
    private let transport: any MailTransport
    private let from: MailAddress
    private let domain: String
    public let maxAttempts: Int
    /// How long a claim holds. A delivery that dies mid-way (SIGKILL) is retried once
    /// the lease has run out, so the lease must outlast a slow SMTP exchange.
    public let leaseSeconds: Double
    public let metrics: DeliveryMetrics
    let log: Logger
    /// Opens the sealed tokens of account mail (reset, invitation); built from SECRET_KEY
    /// by `ats serve` and `ats worker`. Without it such mail cannot be composed (dead).
    private let opener: NotificationTemplates.SecretOpener?
    /// Delivers the rows of channel `webhook`; without it they are recorded dead.
    let webhooks: WebhookSender?

    public init(database: any Database, transport: any MailTransport, from: MailAddress, domain: String, maxAttempts: Int = 8,
                leaseSeconds: Double = 120, metrics: DeliveryMetrics = DeliveryMetrics(), opener: NotificationTemplates.SecretOpener? = nil,
                webhooks: WebhookSender? = nil, log: @escaping Logger = { _, _ in }) {
        self.opener = opener
        self.webhooks = webhooks
        self.database = database
        self.transport = transport
        self.from = from
        self.domain = domain
        self.maxAttempts = max(1, maxAttempts)
        self.leaseSeconds = leaseSeconds
        self.metrics = metrics
        self.log = log
    }

    public var transportSummary: String { transport.summary }

    /// Seconds to wait before attempt `attempt + 1`: 2^attempt, ±50 % jitter, at most an hour.
    public static func backoff(afterAttempt attempt: Int) -> Double {
        let base = min(3600.0, pow(2.0, Double(min(attempt, 12))))
        return base * Double.random(in: 0.5..<1.5)
    }

    /// `key` names the delivery for the transport (the .eml file): tenant slug and row id.
    public func deliver(tenant: TenantID, id: Int64, key: String, now: Timestamp = .now()) -> Outcome {
        let message: OutboxMessage
        let tenantRow: Tenant?
        do {
            let lease = Timestamp(microseconds: now.microseconds + Int64(leaseSeconds * 1e6))
            // The tenant's mail settings are read with the claim (one more indexed read in
            // the same transaction): mail goes out as the tenant is configured when it is
            // sent, whoever queued it and however long ago.
            guard let claimed = try database.transaction(tenant: tenant, { work -> (OutboxMessage, Tenant?)? in
                guard let message = try work.outbox.claim(tenant, id: id, now: now, leaseUntil: lease) else { return nil }
                return (message, try work.tenants.find(id: tenant))
            }) else {
                return .skipped
            }
            (message, tenantRow) = claimed
        } catch {
            log("outbox: cannot claim a row", [("key", key), ("error", "\(error)")])
            return .unavailable
        }
        if message.channel == WebhookChannel().name, let webhooks {
            return deliverWebhook(message, tenant: tenant, slug: tenantRow?.slug ?? "", tenantName: tenantRow?.name ?? "", key: key, sender: webhooks)
        }
        let attempt = message.attempts + 1
        let mail: MailMessage
        do {
            guard message.channel == "mail" else { throw NotForThisChannel(channel: message.channel) }
            mail = try NotificationTemplates.compose(message, from: from, domain: domain, settings: tenantRow?.settings ?? TenantSettings(), opener: opener)
        } catch {
            // No retry can fix a message we cannot compose.
            log("outbox: message cannot be composed", [("key", key), ("error", "\(error)")])
            guard record(tenant, id, key: key, { try $0.markFailed(tenant, id: id, error: "\(error)", retryAt: nil) }) else { return .unavailable }
            metrics.recordFailure(dead: true)
            return .dead
        }
        do {
            try transport.deliver(mail, key: key)
        } catch {
            let retryAt: Timestamp? = attempt >= maxAttempts ? nil
                : Timestamp(microseconds: Timestamp.now().microseconds + Int64(Self.backoff(afterAttempt: message.attempts) * 1e6))
            log(retryAt == nil ? "outbox: delivery failed for good" : "outbox: delivery failed; will retry",
                [("key", key), ("attempt", String(attempt)), ("error", "\(error)")])
            guard record(tenant, id, key: key, { try $0.markFailed(tenant, id: id, error: "\(error)", retryAt: retryAt) }) else { return .unavailable }
            metrics.recordFailure(dead: retryAt == nil)
            return retryAt == nil ? .dead : .retry
        }
        let sentAt = Timestamp.now()
        guard record(tenant, id, key: key, { try $0.markSent(tenant, id: id, at: sentAt) }) else { return .unavailable }
        metrics.recordSent(latencySeconds: Double(sentAt.microseconds - message.createdAt.microseconds) / 1e6)
        return .sent
    }

    /// Records the result, trying for a few seconds: once the mail is out, failing to say
    /// so would send it again when the lease runs out (a database restart takes seconds).
    func record(_ tenant: TenantID, _ id: Int64, key: String, _ change: (any OutboxRepository) throws -> Void) -> Bool {
        recordWork(tenant, key: key) { try change($0.outbox) }
    }

    /// `record` with the whole unit of work (a webhook's result also changes the webhook).
    func recordWork(_ tenant: TenantID, key: String, _ change: (UnitOfWork) throws -> Void) -> Bool {
        for attempt in 1...5 {
            do {
                try database.transaction(tenant: tenant) { try change($0) }
                return true
            } catch {
                if attempt == 5 {
                    log("outbox: cannot record the delivery; the row will be tried again after its lease", [("key", key), ("error", "\(error)")])
                } else {
                    usleep(UInt32(attempt) * 400_000)
                }
            }
        }
        return false
    }
}

/// A row of another channel reached the mail delivery (no deliverer is registered for
/// its channel yet): it is recorded dead with this reason rather than mailed.
struct NotForThisChannel: Error, CustomStringConvertible {
    let channel: String
    var description: String { "no deliverer for channel '\(channel)'" }
}
