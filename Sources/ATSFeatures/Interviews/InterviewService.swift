import ATSDomain
import ATSPersistence
import ATSSupport

/// What a PATCH changes (nil: keep). `location` and `videoURL` are double optionals:
/// `.some(nil)` clears them.
public struct InterviewChanges: Sendable, Equatable {
    public var title: String?
    public var startsAt: Timestamp?
    public var endsAt: Timestamp?
    public var location: String??
    public var videoURL: String??
    public var interviewerIDs: [UserID]?

    public init(title: String? = nil, startsAt: Timestamp? = nil, endsAt: Timestamp? = nil, location: String?? = nil, videoURL: String?? = nil,
                interviewerIDs: [UserID]? = nil) {
        self.title = title
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.location = location
        self.videoURL = videoURL
        self.interviewerIDs = interviewerIDs
    }
}

/// An interview as the caller may see it: the owning candidate sees theirs without the
/// interviewers (`showsInterviewers` false).
public struct VisibleInterview: Sendable {
    public let interview: Interview
    public let showsInterviewers: Bool
}

/// The rules for interviews and scorecards (API.md, Interviews and scorecards). Every
/// schedule, change and cancellation publishes an `InterviewChanged` event in the same
/// unit of work; its mail deliveries carry the iCalendar invitations.
public struct InterviewService: Sendable {
    public init() {}

    // MARK: interviews

    public func schedule(_ work: UnitOfWork, tenant: Tenant, caller: User, application id: ApplicationID, title: String?, startsAt: Timestamp,
                         endsAt: Timestamp, location: String?, videoURL: String?, interviewerIDs: [UserID], notify: Bool) throws -> Interview {
        let application = try NoteService.staffApplication(work, tenant: tenant.id, caller: caller, id: id)
        try Self.checkTimes(startsAt, endsAt)
        let interviewers = try Self.interviewers(work, tenant: tenant.id, interviewerIDs)
        guard let job = try work.jobs.find(tenant.id, id: application.jobID) else { throw DomainError.notFound("No such application.") }
        let draft = InterviewDraft(title: title ?? "Interview: \(job.title)", startsAt: startsAt, endsAt: endsAt, location: location, videoURL: videoURL,
                                   interviewerIDs: interviewerIDs)
        let interview = try work.interviews.create(tenant.id, application: id, draft, createdBy: caller.id)
        try publish(work, .scheduled, tenant: tenant, interview: interview, application: application, job: job, interviewers: interviewers,
                    removed: [], notify: notify, actor: caller)
        try work.audit(tenant.id, .interviewScheduled, interview.id, by: caller, .created(interview.auditFields))
        return interview
    }

    /// Edits or reschedules a scheduled interview (a cancelled one is 409); the SEQUENCE
    /// goes up and everyone on it gets the updated invitation, interviewers taken off it a CANCEL.
    public func update(_ work: UnitOfWork, tenant: Tenant, caller: User, id: InterviewID, _ changes: InterviewChanges, notify: Bool) throws -> Interview {
        let (current, application) = try staffInterview(work, tenant: tenant.id, caller: caller, id: id)
        guard current.status == .scheduled else { throw DomainError.conflict("A cancelled interview cannot be changed.") }
        let startsAt = changes.startsAt ?? current.startsAt, endsAt = changes.endsAt ?? current.endsAt
        try Self.checkTimes(startsAt, endsAt, field: changes.endsAt == nil && changes.startsAt != nil ? "starts_at" : "ends_at")
        let ids = changes.interviewerIDs ?? current.interviewerIDs
        let interviewers = try Self.interviewers(work, tenant: tenant.id, ids, checked: changes.interviewerIDs != nil)
        let removed = try current.interviewerIDs.filter { !ids.contains($0) }.compactMap { try work.users.find(tenant.id, id: $0) }
        let draft = InterviewDraft(title: changes.title ?? current.title, startsAt: startsAt, endsAt: endsAt,
                                   location: changes.location ?? current.location, videoURL: changes.videoURL ?? current.videoURL, interviewerIDs: ids)
        let updated = try work.interviews.update(tenant.id, id: id, draft, status: .scheduled)
        guard let job = try work.jobs.find(tenant.id, id: application.jobID) else { throw DomainError.notFound("No such interview.") }
        try publish(work, .updated, tenant: tenant, interview: updated, application: application, job: job, interviewers: interviewers,
                    removed: removed, notify: notify, actor: caller)
        try work.audit(tenant.id, .interviewUpdated, id, by: caller, .diff(current.auditFields, updated.auditFields))
        return updated
    }

    /// Cancels (SEQUENCE + 1, METHOD:CANCEL to everyone); a second cancel is 409.
    public func cancel(_ work: UnitOfWork, tenant: Tenant, caller: User, id: InterviewID, notify: Bool) throws -> Interview {
        let (current, application) = try staffInterview(work, tenant: tenant.id, caller: caller, id: id)
        guard current.status == .scheduled else { throw DomainError.conflict("The interview is already cancelled.") }
        let draft = InterviewDraft(title: current.title, startsAt: current.startsAt, endsAt: current.endsAt, location: current.location,
                                   videoURL: current.videoURL, interviewerIDs: current.interviewerIDs)
        let cancelled = try work.interviews.update(tenant.id, id: id, draft, status: .cancelled)
        let interviewers = try Self.interviewers(work, tenant: tenant.id, current.interviewerIDs, checked: false)
        guard let job = try work.jobs.find(tenant.id, id: application.jobID) else { throw DomainError.notFound("No such interview.") }
        try publish(work, .cancelled, tenant: tenant, interview: cancelled, application: application, job: job, interviewers: interviewers,
                    removed: [], notify: notify, actor: caller)
        try work.audit(tenant.id, .interviewCancelled, id, by: caller, .diff(current.auditFields, cancelled.auditFields))
        return cancelled
    }

    /// Staff see any interview; the owning candidate sees theirs without interviewers;
    /// anyone else gets 404.
    public func find(_ work: UnitOfWork, tenant: TenantID, caller: User, id: InterviewID) throws -> VisibleInterview {
        guard let interview = try work.interviews.find(tenant, id: id) else { throw DomainError.notFound("No such interview.") }
        if caller.role.isStaff { return VisibleInterview(interview: interview, showsInterviewers: true) }
        guard let application = try work.applications.find(tenant, id: interview.applicationID), application.candidateID == caller.id else {
            throw DomainError.notFound("No such interview.")
        }
        return VisibleInterview(interview: interview, showsInterviewers: false)
    }

    /// An application's interviews (staff, or its candidate without interviewers).
    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User, application id: ApplicationID, page: Page) throws -> (PageResult<Interview>, Bool) {
        guard let application = try work.applications.find(tenant, id: id), caller.role.isStaff || application.candidateID == caller.id else {
            throw DomainError.notFound("No such application.")
        }
        return (try work.interviews.list(tenant, filter: InterviewFilter(applicationID: id), page: page), caller.role.isStaff)
    }

    /// The tenant's interviews (staff), by interviewer and `starts_at` in `[from, to)`.
    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User, filter: InterviewFilter, page: Page) throws -> PageResult<Interview> {
        try Access.require(caller, Access.staff)
        return try work.interviews.list(tenant, filter: filter, page: page)
    }

    // MARK: scorecards

    /// An interviewer of the interview, or an admin, scores it once (a second is 409).
    public func submitScorecard(_ work: UnitOfWork, tenant: TenantID, caller: User, interview id: InterviewID, _ draft: ScorecardDraft) throws -> Scorecard {
        let (interview, _) = try staffInterview(work, tenant: tenant, caller: caller, id: id)
        guard caller.role == .admin || interview.interviewerIDs.contains(caller.id) else {
            throw DomainError.forbidden("Only the interview's interviewers or an admin may submit a scorecard.")
        }
        let scorecard: Scorecard
        do {
            scorecard = try work.savepoint { try work.interviews.createScorecard(tenant, interview: interview, author: caller.id, draft) }
        } catch StorageError.constraintViolation("scorecards_one_per_author") {
            throw DomainError.conflict("You already submitted a scorecard for this interview; PATCH it instead.")
        }
        try work.audit(tenant, .scorecardSubmitted, scorecard.id, by: caller, .created(scorecard.auditFields))
        return scorecard
    }

    /// Only the author edits a scorecard (other staff 403; candidates 404).
    public func updateScorecard(_ work: UnitOfWork, tenant: TenantID, caller: User, id: ScorecardID, _ draft: ScorecardDraft) throws -> Scorecard {
        guard caller.role.isStaff, let scorecard = try work.interviews.findScorecard(tenant, id: id) else { throw DomainError.notFound("No such scorecard.") }
        guard scorecard.authorID == caller.id else { throw DomainError.forbidden("Only the scorecard's author may change it.") }
        let updated = try work.interviews.updateScorecard(tenant, id: id, draft)
        try work.audit(tenant, .scorecardUpdated, id, by: caller, .diff(scorecard.auditFields, updated.auditFields))
        return updated
    }

    /// Blind until submitted: an interviewer on the application who has not submitted a
    /// scorecard for it sees none; admins and the job's creator always see all, and so
    /// do other staff (they are not scoring, so nothing can bias them).
    public func scorecards(_ work: UnitOfWork, tenant: TenantID, caller: User, application id: ApplicationID, page: Page) throws -> PageResult<Scorecard> {
        let application = try NoteService.staffApplication(work, tenant: tenant, caller: caller, id: id)
        if caller.role != .admin, try work.jobs.find(tenant, id: application.jobID)?.createdBy != caller.id,
           try work.interviews.isInterviewer(tenant, application: id, user: caller.id),
           try !work.interviews.hasScorecard(tenant, application: id, author: caller.id) {
            return PageResult(items: [], total: 0)
        }
        return try work.interviews.scorecards(tenant, application: id, page: page)
    }

    // MARK: rules

    /// `ends_at` after `starts_at`, at most 12 hours later.
    static func checkTimes(_ start: Timestamp, _ end: Timestamp, field: String = "ends_at") throws {
        guard end > start else { throw DomainError.invalid(field: field, "must be after starts_at") }
        guard end.microseconds - start.microseconds <= Interview.maxDurationMicroseconds else {
            throw DomainError.invalid(field: field, "the interview may last at most 12 hours")
        }
    }

    /// 1–20 distinct interviewers, each an active staff user of the tenant (422 naming
    /// `interviewer_ids` otherwise). `checked` false: the stored list, taken as it is.
    static func interviewers(_ work: UnitOfWork, tenant: TenantID, _ ids: [UserID], checked: Bool = true) throws -> [User] {
        if checked {
            guard (1...Interview.maxInterviewers).contains(ids.count) else {
                throw DomainError.invalid(field: "interviewer_ids", "must list 1 to \(Interview.maxInterviewers) interviewers")
            }
            guard Set(ids).count == ids.count else { throw DomainError.invalid(field: "interviewer_ids", "may not list an interviewer twice") }
        }
        var users: [User] = []
        for id in ids {
            let user = try work.users.find(tenant, id: id)
            if checked {
                guard let user, user.role.isStaff, user.isActive else {
                    throw DomainError.invalid(field: "interviewer_ids", "user \(id.rawValue) is not an active recruiter or admin of this tenant")
                }
            }
            if let user { users.append(user) }
        }
        return users
    }

    /// The interview and its application, for staff; candidates get 404 (also for their
    /// own: what staff do with an interview is not theirs to try).
    private func staffInterview(_ work: UnitOfWork, tenant: TenantID, caller: User, id: InterviewID) throws -> (Interview, Application) {
        guard caller.role.isStaff, let interview = try work.interviews.find(tenant, id: id),
              let application = try work.applications.find(tenant, id: interview.applicationID) else { throw DomainError.notFound("No such interview.") }
        return (interview, application)
    }

    private func publish(_ work: UnitOfWork, _ change: InterviewChange, tenant: Tenant, interview: Interview, application: Application, job: Job,
                         interviewers: [User], removed: [User], notify: Bool, actor: User) throws {
        let candidate = try work.users.find(tenant.id, id: application.candidateID).map(EventPerson.init)
        let event = InterviewChanged(change: change, tenantSlug: tenant.slug, interview: interview, jobTitle: job.title, company: job.company,
                                     candidate: candidate, interviewers: interviewers.map(EventPerson.init), removed: removed.map(EventPerson.init),
                                     notify: notify)
        try work.publish(.interviewChanged(event), actor: actor.eventActorID, tenant: tenant.id)
    }
}
