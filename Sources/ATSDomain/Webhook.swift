import ATSSupport

/// A webhook subscription (API.md, Webhooks). Its secrets are not here: they are stored
/// sealed and opened only to sign a delivery.
public struct Webhook: Sendable, Equatable {
    public var id: Int64
    public var tenantID: TenantID
    public var url: String
    /// Event types by their webhook names, or `["*"]` for all.
    public var events: [String]
    public var description: String?
    public var active: Bool
    public var consecutiveFailures: Int
    public var lastSuccessAt: Timestamp?
    public var lastFailureAt: Timestamp?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: Int64, tenantID: TenantID, url: String, events: [String], description: String?, active: Bool, consecutiveFailures: Int,
                lastSuccessAt: Timestamp?, lastFailureAt: Timestamp?, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.tenantID = tenantID
        self.url = url
        self.events = events
        self.description = description
        self.active = active
        self.consecutiveFailures = consecutiveFailures
        self.lastSuccessAt = lastSuccessAt
        self.lastFailureAt = lastFailureAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Whether an event of `type` (its webhook name) goes to this webhook.
    public func wants(_ type: String) -> Bool { events.contains("*") || events.contains(type) }

    /// After this many failed attempts in a row the webhook is disabled (API.md).
    public static let failureLimit = 50
}

/// The sealed signing secrets of a webhook: the current one, and the one it replaced
/// while that still signs (24 h after a rotation).
public struct WebhookSecrets: Sendable, Equatable {
    public var current: String
    public var previous: String?
    public var previousUntil: Timestamp?

    public init(current: String, previous: String?, previousUntil: Timestamp?) {
        self.current = current
        self.previous = previous
        self.previousUntil = previousUntil
    }

    /// The sealed secrets that sign at `now`, current first.
    public func live(at now: Timestamp) -> [String] {
        guard let previous, let until = previousUntil, until > now else { return [current] }
        return [current, previous]
    }
}
