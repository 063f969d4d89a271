import ATSDomain
import ATSSupport

/// Webhooks: one delivery per active webhook of the tenant that subscribes to the
/// event's type. The row's kind is the type (its webhook name), its recipient the
/// webhook's id and its payload the event's `data` (the resources as they were): the
/// body is composed from them at delivery, with the event's id and time.
public struct WebhookChannel: OutboxChannel {
    public let name = SQLWebhookRepository.channel

    public init() {}

    /// Only the contextual form delivers: which webhooks want the event is configuration.
    public func deliveries(for event: DomainEvent) -> [NewOutboxMessage] { [] }

    public func deliveries(for event: DomainEvent, in work: UnitOfWork, tenant: TenantID) throws -> [NewOutboxMessage] {
        let type = event.type.webhookName
        let subscribers = try work.webhooks.active(tenant).filter { $0.events.contains("*") || $0.events.contains(type) }
        guard !subscribers.isEmpty else { return [] }
        let data = event.webhookData.text
        return subscribers.map { delivery(type: type, webhook: $0.id, data: data) }
    }

    /// One delivery of `data` to `webhook` (also the ping and a redelivery).
    public func delivery(type: String, webhook: Int64, data: String) -> NewOutboxMessage {
        NewOutboxMessage(kind: type, recipient: String(webhook), payload: data, channel: name)
    }
}
