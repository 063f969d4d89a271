import ATSSupport

/// The kinds of domain event, by their stable names (stored in `events.type`, sent to
/// webhook receivers, listed in the audit log).
public enum DomainEventType: String, Sendable, CaseIterable {
    case applicationReceived = "application.received"
    case applicationStageChanged = "application.stage_changed"
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

    public var event: DomainEventType {
        switch self {
        case .applicationReceived, .newApplicationForJob: return .applicationReceived
        case .stageChanged: return .applicationStageChanged
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

    public var type: DomainEventType {
        switch self {
        case .applicationReceived: return .applicationReceived
        case .applicationStageChanged: return .applicationStageChanged
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
        }
    }
}

/// A person as an event names them: display name (the email when there is none) and email.
public struct EventPerson: Sendable, Equatable {
    public let name: String
    public let email: String

    public init(_ user: User) {
        name = user.fullName ?? user.email
        email = user.email
    }

    public init(name: String?, email: String) {
        self.name = name ?? email
        self.email = email
    }
}

/// What every application event carries: the tenant, the application and its job.
public struct ApplicationSnapshot: Sendable, Equatable {
    public let tenantSlug: String
    public let application: Application
    public let jobTitle: String
    public let company: String
    public let candidateName: String

    public init(tenantSlug: String, application: Application, jobTitle: String, company: String, candidateName: String) {
        self.tenantSlug = tenantSlug
        self.application = application
        self.jobTitle = jobTitle
        self.company = company
        self.candidateName = candidateName
    }

    /// The fields every application event and mail payload starts with.
    public var fields: [(key: String, value: JSONValue)] {
        [("tenant", .string(tenantSlug)), ("application_id", .int(application.id.rawValue)), ("job_id", .int(application.jobID.rawValue)),
         ("job_title", .string(jobTitle)), ("company", .string(company)), ("candidate_name", .string(candidateName))]
    }
}

/// A candidate applied.
public struct ApplicationReceived: Sendable, Equatable {
    public let common: ApplicationSnapshot
    public let candidate: EventPerson
    /// The job's creator, while their account is active (they get the alert).
    public let jobCreator: EventPerson?

    public init(tenant: Tenant, application: Application, job: Job, candidate: User, jobCreator: User?) {
        self.candidate = EventPerson(candidate)
        self.jobCreator = jobCreator.map(EventPerson.init)
        common = ApplicationSnapshot(tenantSlug: tenant.slug, application: application, jobTitle: job.title, company: job.company,
                                     candidateName: self.candidate.name)
    }
}

/// An application moved to another stage.
public struct ApplicationStageChanged: Sendable, Equatable {
    public let common: ApplicationSnapshot
    public let from: Stage
    /// Nil when the candidate's account is gone.
    public let candidate: EventPerson?
    public let note: String?

    public init(tenantSlug: String, application: Application, from: Stage, jobTitle: String, company: String, candidate: EventPerson?, note: String?) {
        self.from = from
        self.candidate = candidate
        self.note = note
        common = ApplicationSnapshot(tenantSlug: tenantSlug, application: application, jobTitle: jobTitle, company: company,
                                     candidateName: candidate?.name ?? "")
    }
}
