import ATSDomain
import ATSPersistence

/// The rules for jobs (API.md, Jobs): who sees which status, who may change a job.
public struct JobService: Sendable {
    public init() {}

    /// Anonymous users and candidates see open jobs; staff see all and may filter by status.
    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User?, status: JobStatus?, q: String?, company: String?, location: String?,
                     page: Page) throws -> PageResult<Job> {
        let visible: [JobStatus] = caller?.role.isStaff == true ? JobStatus.allCases : [.open]
        let statuses = status.map { wanted in visible.filter { $0 == wanted } } ?? visible
        return try work.jobs.list(tenant, filter: JobFilter(statuses: statuses, q: q, company: company, location: location), page: page)
    }

    /// Drafts exist only for staff; closed jobs stay readable so old links say "closed".
    public func find(_ work: UnitOfWork, tenant: TenantID, caller: User?, id: JobID) throws -> Job {
        guard let job = try work.jobs.find(tenant, id: id), job.status != .draft || caller?.role.isStaff == true else {
            throw DomainError.notFound("No such job.")
        }
        return job
    }

    public func create(_ work: UnitOfWork, tenant: TenantID, caller: User, _ job: NewJob) throws -> Job {
        try Access.require(caller, Access.staff)
        var job = job
        // With an API key, the caller is the key's creator: the job is theirs (and so
        // editable by a recruiter key of theirs), as the audit log's key id says how.
        job.createdBy = caller.id
        let created = try work.jobs.create(tenant, job)
        try work.pipelines.copyTemplate(tenant, toJob: created.id)
        try work.audit(tenant, .jobCreated, created.id, by: caller, .created(created.auditFields))
        return created
    }

    public func update(_ work: UnitOfWork, tenant: TenantID, caller: User, id: JobID, _ changes: JobChanges) throws -> Job {
        let old = try editable(work, tenant: tenant, caller: caller, id: id)
        let updated = try work.jobs.update(tenant, id: id, changes)
        try work.audit(tenant, .jobUpdated, id, by: caller, .diff(old.auditFields, updated.auditFields))
        return updated
    }

    /// 409 (`hasDependents`) when the job has applications: close it instead.
    public func delete(_ work: UnitOfWork, tenant: TenantID, caller: User, id: JobID) throws {
        let old = try editable(work, tenant: tenant, caller: caller, id: id)
        try work.jobs.delete(tenant, id: id)
        try work.audit(tenant, .jobDeleted, id, by: caller, .deleted(old.auditFields))
    }

    /// Admins, or the recruiter who created the job.
    private func editable(_ work: UnitOfWork, tenant: TenantID, caller: User, id: JobID) throws -> Job {
        try Access.require(caller, Access.staff)
        guard let job = try work.jobs.find(tenant, id: id) else { throw DomainError.notFound("No such job.") }
        guard caller.role == .admin || job.createdBy == caller.id else { throw DomainError.forbidden("Only the job's creator or an admin may change it.") }
        return job
    }
}
