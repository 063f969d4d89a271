import ATSAuth
import ATSDomain
import ATSNet
import ATSPersistence
import ATSSupport

/// Where webhooks may point (`ATS_WEBHOOK_ALLOW_HTTP`, `ATS_WEBHOOK_ALLOW_PRIVATE`).
public struct WebhookPolicy: Sendable, Equatable {
    public var allowHTTP: Bool
    public var allowPrivate: Bool

    public init(allowHTTP: Bool = false, allowPrivate: Bool = false) {
        self.allowHTTP = allowHTTP
        self.allowPrivate = allowPrivate
    }
}

/// The rules for webhooks (API.md, Webhooks): admins only; `https` URLs whose host
/// resolves to public addresses only (unless the policy allows otherwise); secrets
/// generated here, shown once, stored sealed; a ping queued on create.
public struct WebhookService: Sendable {
    public let policy: WebhookPolicy
    private let sealer: SecretSealer

    public init(policy: WebhookPolicy, sealer: SecretSealer) {
        self.policy = policy
        self.sealer = sealer
    }

    public static let urlLength = 2000
    public static let descriptionLength = 0...500
    /// The previous secret keeps signing this long after a rotation.
    public static let rotationOverlapSeconds: Int64 = 24 * 3600

    /// Why `url` may not receive webhooks (the message of a 422 on `url`), or nil.
    public func urlProblem(_ url: String) -> String? {
        guard url.unicodeScalars.count <= Self.urlLength else { return "must be at most \(Self.urlLength) characters" }
        guard let parsed = HTTPClientURL(url) else { return "must be an absolute http(s) URL without user info or fragment" }
        if !parsed.isHTTPS && !policy.allowHTTP { return "must be an https:// URL" }
        do {
            _ = try HTTPClient(settings: clientSettings).checkedAddresses(parsed)
        } catch {
            return error.kind == .refusedAddress ? "the host resolves to a loopback, private, link-local, CGNAT, multicast or unspecified address"
                : "the host cannot be resolved"
        }
        return nil
    }

    private var clientSettings: HTTPClient.Settings {
        var settings = HTTPClient.Settings()
        settings.allowPrivate = policy.allowPrivate
        return settings
    }

    /// Checks `events` (API.md's list, or `["*"]`); the messages of a 422 on `events`.
    public static func eventsProblem(_ events: [String]) -> String? {
        guard !events.isEmpty else { return "must name at least one event type, or \"*\"" }
        guard events.count <= 50 else { return "must list at most 50 event types" }
        if events.contains("*") { return events.count == 1 ? nil : "\"*\" stands alone" }
        let known = Set(DomainEventType.webhookNames).subtracting(["ping", "application.received"])
        if let unknown = events.first(where: { !known.contains($0) }) { return "unknown event type '\(unknown.prefix(60))'" }
        return nil
    }

    private func newSecret() throws -> String { "whsec_" + (try SecureRandom.password(length: 40)) }

    /// The webhook and the only copy of its secret; a `ping` is queued to it in the same
    /// transaction.
    public func create(_ work: UnitOfWork, tenant: TenantID, caller: User, url: String, events: [String], description: String?,
                       active: Bool) throws -> (webhook: Webhook, secret: String) {
        try Access.require(caller, [.admin])
        if let problem = urlProblem(url) { throw DomainError.invalid(field: "url", problem) }
        if let problem = Self.eventsProblem(events) { throw DomainError.invalid(field: "events", problem) }
        let secret = try newSecret()
        let webhook = try work.webhooks.create(tenant, NewWebhook(url: url, events: Array(Set(events)).sorted(), description: description,
                                                                  active: active, secret: sealer.seal(secret)))
        try work.audit(tenant, .webhookCreated, webhook.id, by: caller, .created(webhook.auditFields))
        let data = JSONValue.object([("webhook_id", .int(webhook.id))])
        try work.events.record(tenant, .resource(ResourceEvent(.ping, [("webhook_id", .int(webhook.id))])), actor: caller.eventActorID,
                               deliveries: [WebhookChannel().delivery(type: DomainEventType.ping.rawValue, webhook: webhook.id, data: data.text)])
        return (webhook, secret)
    }

    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User, page: Page) throws -> PageResult<Webhook> {
        try Access.require(caller, [.admin])
        return try work.webhooks.list(tenant, page: page)
    }

    public func find(_ work: UnitOfWork, tenant: TenantID, caller: User, id: Int64) throws -> Webhook {
        try Access.require(caller, [.admin])
        guard let webhook = try work.webhooks.find(tenant, id: id) else { throw DomainError.notFound("No such webhook.") }
        return webhook
    }

    public func update(_ work: UnitOfWork, tenant: TenantID, caller: User, id: Int64, _ changes: WebhookChanges) throws -> Webhook {
        try Access.require(caller, [.admin])
        var changes = changes
        if let url = changes.url, let problem = urlProblem(url) { throw DomainError.invalid(field: "url", problem) }
        if let events = changes.events {
            if let problem = Self.eventsProblem(events) { throw DomainError.invalid(field: "events", problem) }
            changes.events = Array(Set(events)).sorted()
        }
        let old = try find(work, tenant: tenant, caller: caller, id: id)
        let updated = try work.webhooks.update(tenant, id: id, changes)
        try work.audit(tenant, .webhookUpdated, id, by: caller, .diff(old.auditFields, updated.auditFields))
        return updated
    }

    public func delete(_ work: UnitOfWork, tenant: TenantID, caller: User, id: Int64) throws {
        let old = try find(work, tenant: tenant, caller: caller, id: id)
        try work.webhooks.delete(tenant, id: id)
        try work.audit(tenant, .webhookDeleted, id, by: caller, .deleted(old.auditFields))
    }

    /// A new secret; the old one keeps signing alongside for 24 h.
    public func rotateSecret(_ work: UnitOfWork, tenant: TenantID, caller: User, id: Int64) throws -> (webhook: Webhook, secret: String) {
        let webhook = try find(work, tenant: tenant, caller: caller, id: id)
        let secret = try newSecret()
        let now = work.transaction.now()
        try work.webhooks.rotate(tenant, id: id, secret: sealer.seal(secret),
                                 previousUntil: Timestamp(microseconds: now.microseconds + Self.rotationOverlapSeconds * 1_000_000))
        try work.audit(tenant, .webhookSecretRotated, id, by: caller)
        return (webhook, secret)
    }

    public func deliveries(_ work: UnitOfWork, tenant: TenantID, caller: User, webhook id: Int64, page: Page) throws -> PageResult<OutboxMessage> {
        _ = try find(work, tenant: tenant, caller: caller, id: id)
        return try work.webhooks.deliveries(tenant, webhook: id, page: page)
    }

    /// Queues the delivery's event again as a new delivery (its own attempts and log line).
    public func redeliver(_ work: UnitOfWork, tenant: TenantID, caller: User, webhook id: Int64, delivery: Int64) throws -> OutboxMessage {
        _ = try find(work, tenant: tenant, caller: caller, id: id)
        guard let original = try work.webhooks.delivery(tenant, webhook: id, id: delivery) else { throw DomainError.notFound("No such delivery.") }
        return try work.outbox.enqueue(tenant, NewOutboxMessage(kind: original.kind, recipient: original.recipient, payload: original.payload,
                                                                channel: original.channel), eventID: original.eventID)
    }
}
