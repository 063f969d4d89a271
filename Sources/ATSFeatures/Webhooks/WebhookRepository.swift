import ATSDomain
import ATSPersistence
import ATSSupport

public struct NewWebhook: Sendable, Equatable {
    public var url: String
    public var events: [String]
    public var description: String?
    public var active: Bool
    /// Sealed.
    public var secret: String

    public init(url: String, events: [String], description: String?, active: Bool, secret: String) {
        self.url = url
        self.events = events
        self.description = description
        self.active = active
        self.secret = secret
    }
}

/// A PATCH: nil leaves a field as it is; `description: .some(nil)` clears it.
public struct WebhookChanges: Sendable, Equatable {
    public var url: String?
    public var events: [String]?
    public var description: String??
    public var active: Bool?

    public init(url: String? = nil, events: [String]? = nil, description: String?? = nil, active: Bool? = nil) {
        self.url = url
        self.events = events
        self.description = description
        self.active = active
    }
}

/// What one delivery attempt came to, recorded on the webhook and its outbox row.
public enum WebhookAttemptResult: Sendable, Equatable {
    case succeeded
    /// 410 Gone: the receiver wants no more; the webhook is disabled at once.
    case gone
    case failed
}

public protocol WebhookRepository {
    func create(_ tenant: TenantID, _ webhook: NewWebhook) throws -> Webhook
    func list(_ tenant: TenantID, page: Page) throws -> PageResult<Webhook>
    func find(_ tenant: TenantID, id: Int64) throws -> Webhook?
    /// Throws `StorageError.notFound` when there is no such webhook.
    func update(_ tenant: TenantID, id: Int64, _ changes: WebhookChanges) throws -> Webhook
    /// Deletes it; its deliveries not yet made are cancelled (the log keeps the rest
    /// until the retention sweep). Throws `StorageError.notFound`.
    func delete(_ tenant: TenantID, id: Int64) throws
    /// The new sealed secret; the current one signs until `previousUntil`.
    func rotate(_ tenant: TenantID, id: Int64, secret: String, previousUntil: Timestamp) throws
    func secrets(_ tenant: TenantID, id: Int64) throws -> WebhookSecrets?
    /// Records an attempt on the webhook: a success resets the failures in a row, a
    /// failure counts one more and disables the webhook at `Webhook.failureLimit`, 410
    /// disables it at once. Returns true when this attempt disabled it.
    func recordAttempt(_ tenant: TenantID, id: Int64, _ result: WebhookAttemptResult, at: Timestamp) throws -> Bool
    /// The webhook's deliveries (outbox rows), newest first.
    func deliveries(_ tenant: TenantID, webhook: Int64, page: Page) throws -> PageResult<OutboxMessage>
    func delivery(_ tenant: TenantID, webhook: Int64, id: Int64) throws -> OutboxMessage?
    /// Adds what the delivery log shows to an outbox row (the receiver's status, the time).
    func recordResponse(_ tenant: TenantID, delivery: Int64, status: Int?, durationMilliseconds: Int) throws
    /// Deletes finished deliveries older than `before` (the log keeps 30 days).
    func deleteDeliveries(_ tenant: TenantID, before: Timestamp) throws -> Int
}
