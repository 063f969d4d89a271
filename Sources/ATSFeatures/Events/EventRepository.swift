import ATSDomain

/// Where events are recorded, with their deliveries, in the caller's transaction.
public protocol EventRepository {
    /// Writes the event and one outbox row per delivery; returns the event's id.
    /// `fanOut`: also one outbox row per active webhook of the tenant that wants it.
    @discardableResult
    func record(_ tenant: TenantID, _ event: DomainEvent, actor: UserID?, deliveries: [NewOutboxMessage], fanOut: WebhookFanOut?) throws -> Int64
    /// Anonymization: the events about `candidate`'s applications stop naming them
    /// (`candidate_name`, `candidate_email`) and lose their notes; what happened stays.
    /// Their deliveries keep no payload, and those not yet sent are cancelled.
    func forget(_ tenant: TenantID, candidate: UserID, replacementEmail: String) throws
}

extension EventRepository {
    @discardableResult
    public func record(_ tenant: TenantID, _ event: DomainEvent, actor: UserID?, deliveries: [NewOutboxMessage]) throws -> Int64 {
        try record(tenant, event, actor: actor, deliveries: deliveries, fanOut: nil)
    }
}
