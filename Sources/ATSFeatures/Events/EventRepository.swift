import ATSDomain

/// Where events are recorded, with their deliveries, in the caller's transaction.
public protocol EventRepository {
    /// Writes the event and one outbox row per delivery; returns the event's id.
    @discardableResult
    func record(_ tenant: TenantID, _ event: DomainEvent, actor: UserID?, deliveries: [NewOutboxMessage]) throws -> Int64
}
