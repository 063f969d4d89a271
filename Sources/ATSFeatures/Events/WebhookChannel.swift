import ATSDomain
import ATSSupport

/// Webhooks: one delivery per active webhook of the tenant that subscribes to the
/// event's type. The row's kind is the type (its webhook name), its recipient the
/// webhook's id and its payload the event's `data` (the resources as they were): the
/// body is composed from them at delivery, with the event's id and time. Which webhooks
/// want it is the tenant's configuration, so the rows are a fan-out the event's insert
/// resolves (`WebhookFanOut`).
public struct WebhookChannel: OutboxChannel {
    public let name = SQLWebhookRepository.channel

    public init() {}

    public func deliveries(for event: DomainEvent) -> [NewOutboxMessage] { [] }

    public func fanOut(for event: DomainEvent) -> WebhookFanOut? {
        WebhookFanOut(type: event.type.webhookName, data: event.webhookData.text)
    }

    /// One delivery of `data` to `webhook` (also the ping and a redelivery).
    public func delivery(type: String, webhook: Int64, data: String) -> NewOutboxMessage {
        NewOutboxMessage(kind: type, recipient: String(webhook), payload: data, channel: name)
    }
}

/// One outbox row of channel `webhook` per active webhook subscribed to `type` (or `*`).
public struct WebhookFanOut: Sendable, Equatable {
    public let type: String
    public let data: String

    public init(type: String, data: String) {
        self.type = type
        self.data = data
    }
}
