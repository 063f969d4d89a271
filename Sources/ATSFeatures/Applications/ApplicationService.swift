import ATSDomain
import ATSPersistence

/// The rules for applications and the stage workflow (API.md): applying, who sees which
/// application, and stage moves. A move, its event and the candidate's notification are
/// one call in one unit of work, so bulk moves and background jobs reuse it as it is.
public struct ApplicationService: Sendable {
    public init() {}

    /// A candidate applies: the application, its first event, and the two notifications
    /// (confirmation to the candidate, alert to the job's creator).
    public func apply(_ work: UnitOfWork, tenant: Tenant, candidate: User, jobID: JobID, coverLetter: String?, resumeURL: String?) throws -> Application {
        try Access.require(candidate, [.candidate])
        guard let job = try work.jobs.find(tenant.id, id: jobID), job.status != .draft else { throw DomainError.notFound("No such job.") }
        guard job.status == .open else { throw DomainError.conflict("This job is closed to applications.") }
        let application = try work.applications.create(tenant.id, NewApplication(jobID: job.id, candidateID: candidate.id, coverLetter: coverLetter,
                                                                                resumeURL: resumeURL), actor: candidate.eventActorID)
        let creator = try work.users.find(tenant.id, id: job.createdBy).flatMap { $0.isActive ? $0 : nil }
        try work.publish(.applicationReceived(ApplicationReceived(tenant: tenant, application: application, job: job, candidate: candidate, jobCreator: creator)),
                         actor: candidate.eventActorID, tenant: tenant.id)
        return application
    }

    /// Staff add a candidate to a job (API.md, Candidates): any job but a closed one
    /// (drafts too: sourcing starts before a job is published), in its pipeline's first
    /// stage, the event's actor being the caller (nil for an API key). The job creator's
    /// alert always goes; the candidate's confirmation only when `notifyCandidate`.
    public func addByStaff(_ work: UnitOfWork, tenant: Tenant, caller: User, jobID: JobID, _ application: NewApplication,
                           notifyCandidate: Bool) throws -> Application {
        try Access.require(caller, Access.staff)
        guard let job = try work.jobs.find(tenant.id, id: jobID) else { throw DomainError.notFound("No such job.") }
        guard job.status != .closed else { throw DomainError.conflict("This job is closed to applications.") }
        if application.resumeDocumentID != nil { throw DomainError.invalid(field: "resume_document_id", "no such document") }
        guard let candidate = try work.users.find(tenant.id, id: application.candidateID), candidate.role == .candidate else {
            throw DomainError.invalid(field: "candidate_id", "is not a candidate of this tenant")
        }
        guard candidate.anonymizedAt == nil else { throw DomainError.invalid(field: "candidate_id", "was anonymized") }
        var new = application
        new.jobID = job.id
        let created = try work.applications.create(tenant.id, new, actor: caller.eventActorID)
        let creator = try work.users.find(tenant.id, id: job.createdBy).flatMap { $0.isActive ? $0 : nil }
        try work.publish(.applicationReceived(ApplicationReceived(tenant: tenant, application: created, job: job, candidate: candidate, jobCreator: creator,
                                                                  notifyCandidate: notifyCandidate)),
                         actor: caller.eventActorID, tenant: tenant.id)
        return created
    }

    /// Candidates see their own applications; staff see the tenant's (a job's list is
    /// staff only, and 404 for a job that does not exist).
    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User, job: JobID?, jobFromPath: Bool, stage: Stage?, page: Page) throws -> PageResult<Application> {
        try Access.require(caller, jobFromPath ? Access.staff : Access.everyone)
        if jobFromPath, let job, try work.jobs.find(tenant, id: job) == nil { throw DomainError.notFound("No such job.") }
        let filter = ApplicationFilter(jobID: job, candidateID: caller.role == .candidate ? caller.id : nil, stage: stage)
        return try work.applications.list(tenant, filter: filter, page: page)
    }

    /// Staff, or the candidate who owns it; to anyone else it does not exist (404, never 403).
    public func find(_ work: UnitOfWork, tenant: TenantID, caller: User, id: ApplicationID) throws -> Application {
        guard let application = try work.applications.find(tenant, id: id), caller.role.isStaff || application.candidateID == caller.id else {
            throw DomainError.notFound("No such application.")
        }
        return application
    }

    /// The history, oldest first (the creation is the first event).
    public func events(_ work: UnitOfWork, tenant: TenantID, caller: User, id: ApplicationID) throws -> [ApplicationEvent] {
        _ = try find(work, tenant: tenant, caller: caller, id: id)
        return try work.applications.events(tenant, application: id)
    }

    /// Moves by the rule of the job's pipeline (Part 1's: one step forward, or to rejected). `expectedETag` (If-Match) makes the move
    /// conditional on the version the caller saw. The `UPDATE … WHERE version` decides a
    /// race: the application is read once, then changed once.
    /// `ifMatch`, when given, says whether the caller's `If-Match` accepts the current
    /// ETag (412 otherwise, also when a concurrent change wins the race).
    public func moveStage(_ work: UnitOfWork, tenant: Tenant, actor: User, id: ApplicationID, to target: Stage, note: String?,
                          ifMatch: ((String) -> Bool)? = nil) throws -> Application {
        try Access.require(actor, Access.staff)
        guard let (current, pipeline) = try work.applications.findWithPipeline(tenant.id, id: id) else { throw DomainError.notFound("No such application.") }
        if let ifMatch, !ifMatch(current.etag) {
            throw DomainError.preconditionFailed("The application changed since you read it (ETag \(current.etag)).")
        }
        guard pipeline.definition(of: target) != nil else {
            throw DomainError.invalid(field: "stage", "must be one of \(pipeline.stages.map(\.stage.rawValue).joined(separator: ", "))")
        }
        guard pipeline.canMove(from: current.stage, to: target) else {
            throw DomainError.conflict("An application in stage \(current.stage.rawValue) cannot move to \(target.rawValue).",
                                       allowedStages: pipeline.allowedNext(from: current.stage))
        }
        let moved: StageMove
        do {
            moved = try work.applications.changeStage(tenant.id, id: id, from: current.stage, to: target, expectedVersion: current.version, actor: actor.eventActorID, note: note)
        } catch StorageError.staleVersion where ifMatch != nil {
            throw DomainError.preconditionFailed("The application changed since you read it.")
        }
        let candidate = moved.candidateEmail.map { EventPerson(name: moved.candidateName, email: $0) }
        try work.publish(.applicationStageChanged(ApplicationStageChanged(tenantSlug: tenant.slug, application: moved.application, from: current.stage,
                                                                          jobTitle: moved.jobTitle, company: moved.company, candidate: candidate, note: note)),
                         actor: actor.eventActorID, tenant: tenant.id)
        return moved.application
    }
}
