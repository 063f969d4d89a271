import ATSDomain

/// One way events leave the system. Each channel turns an event into its deliveries
/// (outbox rows with its name), written in the event's transaction and delivered, retried
/// and marked per row. Mail is the first; webhooks and the audit log are more of these,
/// not more copies of the outbox.
public protocol OutboxChannel: Sendable {
    var name: String { get }
    func deliveries(for event: DomainEvent) -> [NewOutboxMessage]
    /// The deliveries of `event` where they depend on the tenant's configuration (its
    /// webhooks), read in the event's transaction; by default `deliveries(for:)`.
    func deliveries(for event: DomainEvent, in work: UnitOfWork, tenant: TenantID) throws -> [NewOutboxMessage]
}

extension OutboxChannel {
    public func deliveries(for event: DomainEvent, in work: UnitOfWork, tenant: TenantID) throws -> [NewOutboxMessage] { deliveries(for: event) }
}

/// The channels every event goes through.
public enum OutboxChannels {
    public static let all: [any OutboxChannel] = [MailChannel(), WebhookChannel()]
}
