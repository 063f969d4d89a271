import ATSDomain
import ATSSupport

/// Mail to people, by event type: which `NotificationKind`s an event sends, to whom, with
/// what payload (the templates in ATSNotify are keyed by the kind). Each payload carries
/// what the mail needs, so delivery never reads the business tables.
public struct MailChannel: OutboxChannel {
    public let name = "mail"

    public init() {}

    public func deliveries(for event: DomainEvent) -> [NewOutboxMessage] {
        switch event {
        case .applicationReceived(let e):
            let common = e.common.fields + [("candidate_email", JSONValue.string(e.candidate.email))]
            var mails = e.notifyCandidate ? [mail(.applicationReceived, to: e.candidate.email, .object(common))] : []
            if let creator = e.jobCreator {
                mails.append(mail(.newApplicationForJob, to: creator.email, .object(common + [("recruiter_name", .string(creator.name))])))
            }
            return mails
        case .applicationStageChanged(let e):
            guard let candidate = e.candidate else { return [] }
            return [mail(.stageChanged, to: candidate.email, .object(e.common.fields + [
                ("from_stage", .string(e.from.rawValue)), ("to_stage", .string(e.common.application.stage.rawValue)),
            ]))]
        }
    }

    private func mail(_ kind: NotificationKind, to recipient: String, _ payload: JSONValue) -> NewOutboxMessage {
        NewOutboxMessage(kind: kind.rawValue, recipient: recipient, payload: payload.text, channel: name)
    }
}
