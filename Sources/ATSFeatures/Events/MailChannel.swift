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
        case .interviewChanged(let e):
            // One mail per person, each carrying the whole invitation (the calendar event
            // lists every attendee) and whom it is for.
            guard e.notify else { return [] }
            let kind: NotificationKind = e.change == .cancelled ? .interviewCancellation : .interviewInvitation
            var mails: [NewOutboxMessage] = []
            if let candidate = e.candidate {
                mails.append(mail(kind, to: candidate.email, .object(e.fields + [("recipient_name", .string(candidate.name)), ("recipient_role", .string("candidate"))])))
            }
            for person in e.interviewers {
                mails.append(mail(kind, to: person.email, .object(e.fields + [("recipient_name", .string(person.name)), ("recipient_role", .string("interviewer"))])))
            }
            for person in e.removed {
                mails.append(mail(.interviewCancellation, to: person.email,
                                  .object(e.fields + [("recipient_name", .string(person.name)), ("recipient_role", .string("removed"))])))
            }
            return mails
        case .resource:
            return []
        }
    }

    private func mail(_ kind: NotificationKind, to recipient: String, _ payload: JSONValue) -> NewOutboxMessage {
        NewOutboxMessage(kind: kind.rawValue, recipient: recipient, payload: payload.text, channel: name)
    }
}
