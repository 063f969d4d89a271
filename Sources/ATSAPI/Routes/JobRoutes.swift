import ATSCore
import ATSHTTP
import ATSStorage

extension API {
    func registerJobRoutes(_ router: inout Router) {
        router.get("/api/jobs") { [self] request, _ in try listJobs(request) }
        router.post("/api/jobs") { [self] request, _ in try createJob(request) }
        router.get("/api/jobs/{job_id}") { [self] request, context in try getJob(request, context) }
        router.add("PATCH", "/api/jobs/{job_id}") { [self] request, context in try updateJob(request, context) }
        router.add("DELETE", "/api/jobs/{job_id}") { [self] request, context in try deleteJob(request, context) }
        router.post("/api/jobs/{job_id}/apply") { [self] request, context in try apply(request, context) }
    }

    /// Anonymous users and candidates see open jobs; staff see all and may filter by status.
    func listJobs(_ request: HTTPRequest) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query)
        let status = try query.choice("status", JobStatus.self)
        let tenant = try tenants.tenant(for: request)
        let result = try database.read(tenant: tenant.id) { work -> PageResult<Job> in
            let caller = try self.caller(request, tenant: tenant, work)
            let visible: [JobStatus] = caller.map { $0.role.isStaff } == true ? JobStatus.allCases : [.open]
            let statuses = status.map { wanted in visible.filter { $0 == wanted } } ?? visible
            let filter = JobFilter(statuses: statuses, q: query.string("q"), company: query.string("company"), location: query.string("location"))
            return try work.jobs.list(tenant.id, filter: filter, page: pagination.page)
        }
        return API.logged(pagination.response(result.items.map(Representation.job), total: result.total), tenant)
    }

    func createJob(_ request: HTTPRequest) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let fields = readJobFields(&body, creating: true)
        try body.finish()
        let tenant = try tenants.tenant(for: request)
        let job = try database.transaction(tenant: tenant.id) { work -> Job in
            let caller = try self.requireCaller(request, tenant: tenant, work, roles: API.staff)
            return try work.jobs.create(tenant.id, NewJob(title: fields.title ?? "", company: fields.company ?? "", description: fields.description ?? nil,
                                                         location: fields.location ?? nil, status: fields.status ?? .open, createdBy: caller.id))
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/jobs/\(job.id)")
        return API.logged(.json(201, Representation.job(job), headers: headers), tenant)
    }

    private struct JobFields {
        var title: String?
        var company: String?
        var description: String??
        var location: String??
        var status: JobStatus?
    }

    private func readJobFields(_ body: inout BodyReader, creating: Bool) -> JobFields {
        JobFields(title: body.string("title", required: creating, length: 1...200) ?? nil,
                  company: body.string("company", required: creating, length: 1...200) ?? nil,
                  description: body.string("description", length: 0...20_000, trim: false, nullable: true),
                  location: body.string("location", length: 0...200, nullable: true),
                  status: body.choice("status", JobStatus.self))
    }

    /// Drafts exist only for staff; closed jobs stay readable so old links say "closed".
    func getJob(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let id = JobID(try PathID.from(context, "job_id"))
        let tenant = try tenants.tenant(for: request)
        let job = try database.read(tenant: tenant.id) { work -> Job in
            let caller = try self.caller(request, tenant: tenant, work)
            guard let job = try work.jobs.find(tenant.id, id: id), job.status != .draft || caller?.role.isStaff == true else {
                throw APIError.notFound("No such job.")
            }
            return job
        }
        return API.logged(.json(200, Representation.job(job)), tenant)
    }

    /// Admins, or the recruiter who created the job.
    private func editableJob(_ request: HTTPRequest, _ tenant: Tenant, _ id: JobID, _ work: any UnitOfWork) throws -> Job {
        let caller = try requireCaller(request, tenant: tenant, work, roles: API.staff)
        guard let job = try work.jobs.find(tenant.id, id: id) else { throw APIError.notFound("No such job.") }
        guard caller.role == .admin || job.createdBy == caller.id else { throw APIError.forbidden("Only the job's creator or an admin may change it.") }
        return job
    }

    func updateJob(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let id = JobID(try PathID.from(context, "job_id"))
        var body = try BodyReader(request, emptyIsObject: true)
        let fields = readJobFields(&body, creating: false)
        try body.finish()
        let tenant = try tenants.tenant(for: request)
        let job = try database.transaction(tenant: tenant.id) { work -> Job in
            _ = try self.editableJob(request, tenant, id, work)
            return try work.jobs.update(tenant.id, id: id, JobChanges(title: fields.title, company: fields.company, description: fields.description,
                                                                     location: fields.location, status: fields.status))
        }
        return API.logged(.json(200, Representation.job(job)), tenant)
    }

    func deleteJob(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let id = JobID(try PathID.from(context, "job_id"))
        let tenant = try tenants.tenant(for: request)
        try database.transaction(tenant: tenant.id) { work in
            _ = try self.editableJob(request, tenant, id, work)
            try work.jobs.delete(tenant.id, id: id)
        }
        return API.logged(HTTPResponse(status: 204), tenant)
    }

    /// A candidate applies: the application, its first event, and the two notifications
    /// (confirmation to the candidate, alert to the job's creator) in one transaction.
    func apply(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let jobID = JobID(try PathID.from(context, "job_id"))
        var body = try BodyReader(request, emptyIsObject: true)
        let coverLetter = body.string("cover_letter", length: 0...10_000, trim: false, nullable: true) ?? nil
        let resumeURL = body.string("resume_url", length: 1...2000, nullable: true) ?? nil
        if let url = resumeURL, !API.isHTTPURL(url) { body.fail("resume_url", "must be an http or https URL") }
        try body.finish()
        let tenant = try tenants.tenant(for: request)
        let application = try database.transaction(tenant: tenant.id) { work -> Application in
            let candidate = try self.requireCaller(request, tenant: tenant, work, roles: [.candidate])
            guard let job = try work.jobs.find(tenant.id, id: jobID), job.status != .draft else { throw APIError.notFound("No such job.") }
            guard job.status == .open else { throw APIError.conflict("This job is closed to applications.") }
            let application = try work.applications.create(tenant.id, NewApplication(jobID: job.id, candidateID: candidate.id,
                                                                                    coverLetter: coverLetter, resumeURL: resumeURL), actor: candidate.id)
            try Notifications.applicationReceived(work, tenant: tenant, job: job, candidate: candidate, application: application)
            return application
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/applications/\(application.id)")
        headers.add("ETag", Representation.etag(application))
        return API.logged(.json(201, Representation.application(application), headers: headers), tenant)
    }

    static func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = lower.dropFirst(8) } else if lower.hasPrefix("http://") { rest = lower.dropFirst(7) } else { return false }
        return !rest.isEmpty && !rest.hasPrefix("/") && !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
    }
}
