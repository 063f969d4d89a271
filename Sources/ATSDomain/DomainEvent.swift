import ATSSupport

/// The kinds of domain event, by their stable names (stored in `events.type`, sent to
/// webhook receivers, listed in the audit log).
public enum DomainEventType: String, Sendable, CaseIterable {
    case applicationReceived = "application.received"
    case applicationStageChanged = "application.stage_changed"
    case interviewScheduled = "interview.scheduled"
    case interviewUpdated = "interview.updated"
    case interviewCancelled = "interview.cancelled"
    case applicationReopened = "application.reopened"
    case candidateCreated = "candidate.created"
    case candidateUpdated = "candidate.updated"
    case candidateMerged = "candidate.merged"
    case candidateAnonymized = "candidate.anonymized"
    case jobCreated = "job.created"
    case jobUpdated = "job.updated"
    case jobDeleted = "job.deleted"
    case scorecardSubmitted = "scorecard.submitted"
    /// Sent once to a webhook when it is created (never raised by a change).
    case ping = "ping"

    /// The name a webhook subscribes to: `application.received` (the name mail has
    /// always used) is `application.created` to webhook receivers (API.md).
    public var webhookName: String { self == .applicationReceived ? "application.created" : rawValue }

    /// The types a webhook may subscribe to, by their webhook names.
    public static let webhookNames: [String] = allCases.map(\.webhookName)
}

/// The notifications (mails) there are, each answering one event type: the mail
/// templates are keyed by these, and the outbox's `kind` holds them.
public enum NotificationKind: String, Sendable, CaseIterable {
    /// To the candidate, on `application.received`.
    case applicationReceived = "application.received"
    /// To the job's creator, on `application.received`.
    case newApplicationForJob = "application.new_for_job"
    /// To the candidate, on `application.stage_changed`.
    case stageChanged = "application.stage_changed"
    /// To the candidate and each interviewer: an iCalendar REQUEST (new or updated).
    case interviewInvitation = "interview.invitation"
    /// An iCalendar CANCEL: to everyone on `interview.cancelled`, and to interviewers
    /// taken off an interview on `interview.updated`.
    case interviewCancellation = "interview.cancellation"
    /// To a user who asked to reset their password: the sealed reset token.
    case passwordReset = "password_reset"
    /// To a person added by staff: the sealed token that sets their first password.
    case invitation = "invitation"
    /// To each admin of the tenant when a webhook was disabled after failing too often.
    case webhookDisabled = "webhook.disabled"

    /// The event the mail answers; nil for account mail, queued straight to the outbox
    /// by the account service (it carries a secret no event may hold).
    public var event: DomainEventType? {
        switch self {
        case .applicationReceived, .newApplicationForJob: return .applicationReceived
        case .stageChanged: return .applicationStageChanged
        case .interviewInvitation: return .interviewScheduled
        case .interviewCancellation: return .interviewCancelled
        case .passwordReset, .invitation, .webhookDisabled: return nil
        }
    }
}

/// Something that happened in a tenant, raised by a service and recorded in the same
/// transaction as the change (the outbox); each channel (mail, later webhooks and the
/// audit log) turns it into its deliveries. It carries what consumers need as it was at
/// event time, so no consumer reads the business tables later.
public enum DomainEvent: Sendable, Equatable {
    case applicationReceived(ApplicationReceived)
    case applicationStageChanged(ApplicationStageChanged)
    case interviewChanged(InterviewChanged)
    /// A change that only webhooks (and later the audit log) announce: its type and the
    /// resources as they were (`data`).
    case resource(ResourceEvent)

    public var type: DomainEventType {
        switch self {
        case .applicationReceived: return .applicationReceived
        case .applicationStageChanged: return .applicationStageChanged
        case .interviewChanged(let e):
            switch e.change {
            case .scheduled: return .interviewScheduled
            case .updated: return .interviewUpdated
            case .cancelled: return .interviewCancelled
            }
        case .resource(let e): return e.type
        }
    }

    /// The application the event is about (`events.application_id`), if any.
    public var applicationID: ApplicationID? {
        switch self {
        case .applicationReceived(let e): return e.common.application.id
        case .applicationStageChanged(let e): return e.common.application.id
        case .interviewChanged(let e): return e.interview.applicationID
        case .resource(let e): return e.applicationID
        }
    }

    /// The stored form (`events.payload`).
    public var payload: JSONValue {
        switch self {
        case .applicationReceived(let e):
            return .object(e.common.fields + [("candidate_email", .string(e.candidate.email)),
                                              ("recruiter_name", e.jobCreator.map { .string($0.name) } ?? .null),
                                              ("recruiter_email", e.jobCreator.map { .string($0.email) } ?? .null)])
        case .applicationStageChanged(let e):
            return .object(e.common.fields + [("candidate_email", e.candidate.map { .string($0.email) } ?? .null),
                                              ("from_stage", .string(e.from.rawValue)), ("to_stage", .string(e.common.application.stage.rawValue)),
                                              ("note", e.note.map(JSONValue.string) ?? .null)])
        case .interviewChanged(let e):
            return .object(e.fields + [("notify", .bool(e.notify)),
                                       ("removed", .array(e.removed.map { .object([("name", .string($0.name)), ("email", .string($0.email))]) }))])
        case .resource(let e):
            return e.data
        }
    }

    /// What a webhook delivery's `data` holds: the resources as they were when it happened.
    public var webhookData: JSONValue {
        switch self {
        case .applicationReceived(let e):
            return .object([("application", ResourceJSON.application(e.common.application)),
                            ("job", .object([("id", .int(e.common.application.jobID.rawValue)), ("title", .string(e.common.jobTitle)),
                                             ("company", .string(e.common.company))])),
                            ("candidate", .object([("id", .int(e.common.application.candidateID.rawValue)), ("name", .string(e.candidate.name)),
                                                   ("email", .string(e.candidate.email))]))])
        case .applicationStageChanged(let e):
            return .object([("application", ResourceJSON.application(e.common.application)), ("from_stage", .string(e.from.rawValue)),
                            ("to_stage", .string(e.common.application.stage.rawValue))])
        case .interviewChanged(let e):
            return .object([("interview", ResourceJSON.interview(e.interview, showsInterviewers: true))])
        case .resource(let e):
            return e.data
        }
    }
}

/// A resource event: `data` is an object naming the resources (`{"job": {…}}`).
public struct ResourceEvent: Sendable, Equatable {
    public let type: DomainEventType
    public let data: JSONValue
    public let applicationID: ApplicationID?

    public init(_ type: DomainEventType, _ data: [(key: String, value: JSONValue)], applicationID: ApplicationID? = nil) {
        self.type = type
        self.data = .object(data)
        self.applicationID = applicationID
    }
}
