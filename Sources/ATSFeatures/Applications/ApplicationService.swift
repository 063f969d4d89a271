import ATSDomain
import ATSPersistence
import ATSSupport

/// The rules for applications and the stage workflow (API.md): applying, who sees which
/// application, and stage moves. A move, its event and the candidate's notification are
/// one call in one unit of work, so bulk moves and background jobs reuse it as it is.
public struct ApplicationService: Sendable {
    public init() {}

    /// A candidate applies: the application, its first event, and the two notifications
    /// (confirmation to the candidate, alert to the job's creator).
    public func apply(_ work: UnitOfWork, tenant: Tenant, candidate: User, jobID: JobID, coverLetter: String?, resumeURL: String?,
                      resumeDocumentID: Int64? = nil) throws -> Application {
        try Access.require(candidate, [.candidate])
        guard let job = try work.jobs.find(tenant.id, id: jobID), job.status != .draft else { throw DomainError.notFound("No such job.") }
        guard job.status == .open else { throw DomainError.conflict("This job is closed to applications.") }
        if let document = resumeDocumentID { try DocumentService.requireOwn(work, tenant: tenant.id, candidate: candidate.id, id: document) }
        let application = try work.applications.create(tenant.id, NewApplication(jobID: job.id, candidateID: candidate.id, coverLetter: coverLetter,
                                                                                resumeURL: resumeURL, resumeDocumentID: resumeDocumentID),
                                                       actor: candidate.eventActorID)
        let creator = try work.users.find(tenant.id, id: job.createdBy).flatMap { $0.isActive ? $0 : nil }
        try work.publish(.applicationReceived(ApplicationReceived(tenant: tenant, application: application, job: job, candidate: candidate, jobCreator: creator)),
                         actor: candidate.eventActorID, tenant: tenant.id)
        try work.audit(tenant.id, .applicationCreated, application.id, by: candidate, .created(application.auditFields))
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
        guard let candidate = try work.users.find(tenant.id, id: application.candidateID), candidate.role == .candidate else {
            throw DomainError.invalid(field: "candidate_id", "is not a candidate of this tenant")
        }
        if let document = application.resumeDocumentID { try DocumentService.requireOwn(work, tenant: tenant.id, candidate: candidate.id, id: document) }
        guard candidate.anonymizedAt == nil else { throw DomainError.invalid(field: "candidate_id", "was anonymized") }
        var new = application
        new.jobID = job.id
        let created = try work.applications.create(tenant.id, new, actor: caller.eventActorID)
        let creator = try work.users.find(tenant.id, id: job.createdBy).flatMap { $0.isActive ? $0 : nil }
        try work.publish(.applicationReceived(ApplicationReceived(tenant: tenant, application: created, job: job, candidate: candidate, jobCreator: creator,
                                                                  notifyCandidate: notifyCandidate)),
                         actor: caller.eventActorID, tenant: tenant.id)
        try work.audit(tenant.id, .applicationCreated, created.id, by: caller, .created(created.auditFields))
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
    /// ETag (412 otherwise, also when a concurrent change wins the race). A move to
    /// `rejected` takes a rejection reason (see `rejection`); `notifyCandidate: false`
    /// queues no mail to the candidate.
    public func moveStage(_ work: UnitOfWork, tenant: Tenant, actor: User, id: ApplicationID, to target: Stage, note: String?,
                          ifMatch: ((String) -> Bool)? = nil, rejectionReasonID: Int64? = nil, notifyCandidate: Bool = true) throws -> Application {
        try Access.require(actor, Access.staff)
        guard let (current, pipeline) = try work.applications.findWithPipeline(tenant.id, id: id) else { throw DomainError.notFound("No such application.") }
        if let ifMatch, !ifMatch(current.etag) {
            throw DomainError.preconditionFailed("The application changed since you read it (ETag \(current.etag)).")
        }
        let rejection = try self.rejection(work, tenant: tenant, to: target, reasonID: rejectionReasonID, note: note)
        // A key the job's pipeline does not have is refused like any illegal move (API.md).
        guard pipeline.canMove(from: current.stage, to: target) else {
            throw DomainError.conflict("An application in stage \(current.stage.rawValue) cannot move to \(target.rawValue).",
                                       allowedStages: pipeline.allowedNext(from: current.stage))
        }
        do {
            return try perform(work, tenant: tenant, actor: actor, current, to: target, note: note, rejection: rejection, notifyCandidate: notifyCandidate)
        } catch StorageError.staleVersion where ifMatch != nil {
            throw DomainError.preconditionFailed("The application changed since you read it.")
        }
    }

    /// The stored move, its event and (unless `notifyCandidate` is false) the
    /// candidate's mail: what a single move and each of a bulk move do.
    private func perform(_ work: UnitOfWork, tenant: Tenant, actor: User, _ current: Application, to target: Stage, note: String?,
                         rejection: Rejection?, notifyCandidate: Bool) throws -> Application {
        let moved = try work.applications.changeStage(tenant.id, id: current.id, from: current.stage, to: target, expectedVersion: current.version,
                                                      actor: actor.eventActorID, note: note, rejection: rejection)
        try announce(work, tenant: tenant, actor: actor, moved, from: current.stage, note: note, notifyCandidate: notifyCandidate)
        try audit(work, tenant: tenant, actor: actor, current, moved.application, note: note)
        return moved.application
    }

    /// The domain event of a stored move (its candidate mail, webhooks to come).
    private func announce(_ work: UnitOfWork, tenant: Tenant, actor: User, _ moved: StageMove, from: Stage, note: String?, notifyCandidate: Bool) throws {
        // Without a candidate the event fans out to no mail (as when the account is gone).
        let candidate = notifyCandidate ? moved.candidateEmail.map { EventPerson(name: moved.candidateName, email: $0) } : nil
        try work.publish(.applicationStageChanged(ApplicationStageChanged(tenantSlug: tenant.slug, application: moved.application, from: from,
                                                                          jobTitle: moved.jobTitle, company: moved.company, candidate: candidate, note: note)),
                         actor: actor.eventActorID, tenant: tenant.id)
    }

    /// A move's audit entry: `application.reopened` out of `rejected`, else
    /// `application.stage_changed`, with the stage, the rejection and the note (length).
    private func audit(_ work: UnitOfWork, tenant: Tenant, actor: User, _ before: Application, _ after: Application, note: String?) throws {
        var changes = AuditChanges.diff(before.auditFields, after.auditFields)
        if let note { changes.set("note", old: .null, new: .string(note)) }
        let action: AuditAction = before.stage == .rejected && after.stage != .rejected ? .applicationReopened : .applicationStageChanged
        try work.audit(tenant.id, action, after.id, by: actor, changes)
    }

    /// The rejection a move stores: for a move to `rejected`, the reason (required when
    /// the tenant says so; unknown or archived is 422) and the note; nil otherwise (a
    /// reason for another move is 422).
    private func rejection(_ work: UnitOfWork, tenant: Tenant, to target: Stage, reasonID: Int64?, note: String?) throws -> Rejection? {
        guard target == .rejected else {
            if reasonID != nil { throw DomainError.invalid(field: "rejection_reason_id", "only a move to rejected takes a reason") }
            return nil
        }
        guard let reasonID else {
            if tenant.settings.requireRejectionReason { throw DomainError.invalid(field: "rejection_reason_id", "is required by this tenant's settings") }
            return Rejection(reasonID: nil, reason: nil, note: note)
        }
        guard let reason = try work.rejectionReasons.find(tenant.id, id: reasonID), !reason.archived else {
            throw DomainError.invalid(field: "rejection_reason_id", "must name a rejection reason that is not archived")
        }
        return Rejection(reasonID: reason.id, reason: reason.name, note: note)
    }

    /// A rejected application returns to the stage it was rejected from (event
    /// `rejected → <key>`, the rejection cleared, the candidate told as for any move).
    public func reopen(_ work: UnitOfWork, tenant: Tenant, actor: User, id: ApplicationID) throws -> Application {
        try Access.require(actor, Access.staff)
        guard let (current, pipeline) = try work.applications.findWithPipeline(tenant.id, id: id) else { throw DomainError.notFound("No such application.") }
        guard current.stage == .rejected else { throw DomainError.conflict("Only a rejected application can be reopened (it is in \(current.stage.rawValue)).") }
        guard let previous = try work.workflow.rejectedFrom(tenant.id, application: id), pipeline.path.contains(where: { $0.stage == previous }),
              !pipeline.isTerminal(previous) else {
            throw DomainError.conflict("The stage this application was rejected from is no longer on its job's pipeline.")
        }
        let reopened = try perform(work, tenant: tenant, actor: actor, current, to: previous, note: nil, rejection: nil, notifyCandidate: true)
        try work.publish(.resource(ResourceEvent(.applicationReopened, [("application", ResourceJSON.application(reopened))], applicationID: reopened.id)),
                         actor: actor.eventActorID, tenant: tenant.id)
        return reopened
    }

    public static let bulkLimit = 1...500

    /// Moves many applications to `target`, all or none: every id must exist (else 404
    /// listing the unknown ones) and every move be legal (else 409 listing those that
    /// are not) before anything changes. Repeated ids count once. Each move gets what a
    /// single move gets (event, version, notification); the row writes are batched.
    public func bulkMove(_ work: UnitOfWork, tenant: Tenant, actor: User, ids: [ApplicationID], to target: Stage, note: String?,
                         rejectionReasonID: Int64?, notifyCandidate: Bool) throws -> [Application] {
        try Access.require(actor, Access.staff)
        var seen: Set<ApplicationID> = []
        let unique = ids.filter { seen.insert($0).inserted }
        let rejection = try self.rejection(work, tenant: tenant, to: target, reasonID: rejectionReasonID, note: note)
        let found = try work.workflow.applications(tenant.id, ids: unique)
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let unknown = unique.filter { byID[$0] == nil }
        guard unknown.isEmpty else {
            throw DomainError.notFoundListing("No such applications: \(unknown.map { String($0.rawValue) }.joined(separator: ", ")).",
                                              member: "application_ids", items: unknown.map { .int($0.rawValue) })
        }
        let pipelines = try work.pipelines.forJobs(tenant.id, Array(Set(found.map(\.jobID))))
        let applications = unique.compactMap { byID[$0] }
        let illegal = applications.filter { !(pipelines[$0.jobID] ?? .standard).canMove(from: $0.stage, to: target) }.map(\.id)
        guard illegal.isEmpty else {
            throw DomainError.conflictListing("These applications cannot move to \(target.rawValue): \(illegal.map { String($0.rawValue) }.joined(separator: ", ")).",
                                              member: "application_ids", items: illegal.map { .int($0.rawValue) })
        }
        // The moves and their events in two statements; then each move's domain event
        // (its mail), as a single move publishes it.
        let moves = try work.workflow.changeStages(tenant.id, applications, to: target, actor: actor.eventActorID, note: note, rejection: rejection)
        for (application, moved) in zip(applications, moves) {
            try announce(work, tenant: tenant, actor: actor, moved, from: application.stage, note: note, notifyCandidate: notifyCandidate)
            try audit(work, tenant: tenant, actor: actor, application, moved.application, note: note)
        }
        return moves.map(\.application)
    }
}
