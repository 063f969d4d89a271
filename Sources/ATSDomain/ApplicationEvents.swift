import ATSSupport

// The application events' payloads (what `DomainEvent` carries for them).

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
    /// False when staff added the application and asked not to mail the candidate (the
    /// job creator's alert still goes).
    public let notifyCandidate: Bool

    public init(tenant: Tenant, application: Application, job: Job, candidate: User, jobCreator: User?, notifyCandidate: Bool = true) {
        self.notifyCandidate = notifyCandidate
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
