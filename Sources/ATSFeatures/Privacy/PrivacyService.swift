import ATSDomain
import ATSSupport
import ATSPersistence
import ATSSupport

/// Everything held about one person (API.md, Privacy: export).
public struct PersonalData: Sendable {
    public struct ApplicationRecord: Sendable {
        public let application: Application
        public let events: [ApplicationEvent]
    }

    public let person: User
    public let applications: [ApplicationRecord]
    /// Mail sent (or to be sent) to them.
    public let notifications: [OutboxMessage]
    /// Whether the export is the admin's, which also holds staff's notes and scorecards.
    public let forStaff: Bool
    /// Their applications' interviews, and (admin export only) the notes and scorecards about them.
    public var interviews: [Interview] = []
    public var notes: [Note] = []
    public var scorecards: [Scorecard] = []
    /// Their documents' metadata (the bytes are downloaded from each one's path).
    public var documents: [Document] = []
}

/// The GDPR rules (API.md, Privacy): what an export holds, what anonymizing a person
/// removes and what it keeps (applications, stages, events, ratings stay for reports).
public struct PrivacyService: Sendable {
    /// The most applications and notifications an export lists (a person has a handful).
    static let exportLimit = 10_000

    public init() {}

    /// Candidate `id` as an admin sees them (404 for anyone who is not a candidate).
    private func candidate(_ work: UnitOfWork, tenant: TenantID, id: UserID) throws -> User {
        guard let person = try work.users.find(tenant, id: id), person.role == .candidate else { throw DomainError.notFound("No such candidate.") }
        return person
    }

    /// The admin's export of a candidate.
    public func export(_ work: UnitOfWork, tenant: TenantID, by caller: User, candidate id: UserID) throws -> PersonalData {
        try Access.require(caller, [.admin])
        return try collect(work, tenant: tenant, person: try candidate(work, tenant: tenant, id: id), forStaff: true)
    }

    /// A candidate's export of themselves (staff's data is the tenant's: `ats tenant export`).
    public func exportSelf(_ work: UnitOfWork, tenant: TenantID, caller: User) throws -> PersonalData {
        try Access.require(caller, [.candidate])
        return try collect(work, tenant: tenant, person: caller, forStaff: false)
    }

    private func collect(_ work: UnitOfWork, tenant: TenantID, person: User, forStaff: Bool) throws -> PersonalData {
        let page = Page(limit: Self.exportLimit, offset: 0)
        let applications = try work.applications.list(tenant, filter: ApplicationFilter(candidateID: person.id), page: page).items
        let records = try applications.map { PersonalData.ApplicationRecord(application: $0, events: try work.applications.events(tenant, application: $0.id)) }
        let notifications = try work.outbox.list(tenant, filter: NotificationFilter(recipient: person.email), page: page).items
        var data = PersonalData(person: person, applications: records, notifications: notifications, forStaff: forStaff)
        data.documents = try work.documents.list(tenant, candidate: person.id, page: page).items
        for application in applications {
            data.interviews += try work.interviews.list(tenant, filter: InterviewFilter(applicationID: application.id), page: page).items
            guard forStaff else { continue }
            data.notes += try work.notes.list(tenant, application: application.id, page: page).items
            data.scorecards += try work.interviews.scorecards(tenant, application: application.id, page: page).items
        }
        return data
    }

    /// The admin's anonymization of a candidate; idempotent.
    public func anonymize(_ work: UnitOfWork, tenant: TenantID, by caller: User, candidate id: UserID) throws -> User {
        try Access.require(caller, [.admin])
        return try anonymize(work, tenant: tenant, candidate: id, actor: caller)
    }

    /// A candidate's erasure of themselves (the route checked their password).
    public func eraseSelf(_ work: UnitOfWork, tenant: TenantID, caller: User) throws {
        try Access.require(caller, [.candidate])
        _ = try anonymize(work, tenant: tenant, candidate: caller.id, actor: caller)
    }

    /// Anonymizes candidate `id` in this unit of work; idempotent (an anonymized person
    /// is returned as is). Used by the admin route, self-erasure, merge and retention:
    /// their identity, what they wrote and what was written about them goes; their
    /// applications' stages and history stay. Pending mail to them is cancelled. The
    /// audit entry names who did it (`actor`; nil for the retention sweep) and nothing
    /// of what was removed.
    public func anonymize(_ work: UnitOfWork, tenant: TenantID, candidate id: UserID, actor: User? = nil) throws -> User {
        let person = try candidate(work, tenant: tenant, id: id)
        if person.anonymizedAt != nil { return person }
        let anonymized = try work.users.anonymize(tenant, id: id)
        try work.applications.removePersonalData(tenant, candidate: id)
        try work.notes.removePersonalData(tenant, candidate: id)
        try work.documents.deleteAll(tenant, candidate: id)
        try work.interviews.removePersonalData(tenant, candidate: id)
        try work.events.forget(tenant, candidate: id, replacementEmail: anonymized.email)
        try work.outbox.forget(tenant, recipient: person.email, replacement: anonymized.email)
        try work.audit(tenant, .candidateAnonymized, id, by: actor,
                       AuditChanges.diff([("anonymized_at", .null)], [("anonymized_at", anonymized.anonymizedAt.map { .string($0.rfc3339) } ?? .null)]))
        // Receivers of webhooks are told to forget them too.
        try work.publish(.resource(ResourceEvent(.candidateAnonymized, [("candidate_id", .int(id.rawValue))])), actor: nil, tenant: tenant)
        return anonymized
    }
}
