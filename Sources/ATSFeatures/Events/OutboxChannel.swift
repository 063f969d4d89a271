import ATSDomain

/// One way events leave the system. Each channel turns an event into its deliveries
/// (outbox rows with its name), written in the event's transaction and delivered, retried
/// and marked per row. Mail is the first; webhooks and the audit log are more of these,
/// not more copies of the outbox.
public protocol OutboxChannel: Sendable {
    var name: String { get }
    func deliveries(for event: DomainEvent) -> [NewOutboxMessage]
    /// Deliveries that depend on the tenant's configuration: one per active webhook that
    /// wants the event, resolved by the event's insert itself (no extra round trip).
    func fanOut(for event: DomainEvent) -> WebhookFanOut?
}

extension OutboxChannel {
    public func fanOut(for event: DomainEvent) -> WebhookFanOut? { nil }
}

/// The channels every event goes through.
public enum OutboxChannels {
    public static let all: [any OutboxChannel] = [MailChannel(), WebhookChannel()]
}
