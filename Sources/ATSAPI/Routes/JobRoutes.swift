import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

extension API {
    func registerJobRoutes(_ router: inout Router) {
        route(&router, "GET", "/api/jobs", listJobs)
        route(&router, "POST", "/api/jobs", createJob)
        route(&router, "GET", "/api/jobs/{job_id}", getJob)
        route(&router, "PATCH", "/api/jobs/{job_id}", updateJob)
        route(&router, "DELETE", "/api/jobs/{job_id}", deleteJob)
        route(&router, "POST", "/api/jobs/{job_id}/apply", apply)
    }

    func listJobs(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query)
        let status = try query.choice("status", JobStatus.self)
        let result = try database.read(tenant: context.tenant.id) { work in
            try jobService.list(work, tenant: context.tenant.id, caller: try context.caller(in: work), status: status, q: query.string("q"),
                                company: query.string("company"), location: query.string("location"), page: pagination.page)
        }
        return pagination.response(result.items.map(Representation.job), total: result.total)
    }

    func createJob(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let fields = readJobFields(&body, creating: true)
        try body.finish()
        let job = try database.transaction(tenant: context.tenant.id) { work in
            let caller = try context.requireCaller(in: work)
            return try jobService.create(work, tenant: context.tenant.id, caller: caller,
                                         NewJob(title: fields.title ?? "", company: fields.company ?? "", description: fields.description ?? nil,
                                                location: fields.location ?? nil, status: fields.status ?? .open, createdBy: caller.id))
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/jobs/\(job.id)")
        return .json(201, Representation.job(job), headers: headers)
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

    func getJob(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = JobID(try context.pathID("job_id"))
        let job = try database.read(tenant: context.tenant.id) { work in
            try jobService.find(work, tenant: context.tenant.id, caller: try context.caller(in: work), id: id)
        }
        return .json(200, Representation.job(job))
    }

    func updateJob(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = JobID(try context.pathID("job_id"))
        var body = try BodyReader(request)
        let fields = readJobFields(&body, creating: false)
        try body.finish()
        let job = try database.transaction(tenant: context.tenant.id) { work in
            try jobService.update(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id,
                                  JobChanges(title: fields.title, company: fields.company, description: fields.description,
                                             location: fields.location, status: fields.status))
        }
        return .json(200, Representation.job(job))
    }

    func deleteJob(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = JobID(try context.pathID("job_id"))
        try database.transaction(tenant: context.tenant.id) { work in
            try jobService.delete(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return HTTPResponse(status: 204)
    }

    /// A candidate applies: the application, its first event, and the two notifications
    /// commit together (ApplicationService.apply).
    func apply(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let jobID = JobID(try context.pathID("job_id"))
        var body = try BodyReader(request)
        let coverLetter = body.string("cover_letter", length: 0...10_000, trim: false, nullable: true) ?? nil
        let resumeURL = body.string("resume_url", length: 1...2000, nullable: true) ?? nil
        if let url = resumeURL, !API.isHTTPURL(url) { body.fail("resume_url", "must be an http or https URL") }
        try body.finish()
        let application = try database.transaction(tenant: context.tenant.id) { work in
            try applicationService.apply(work, tenant: context.tenant, candidate: try context.requireCaller(in: work), jobID: jobID,
                                         coverLetter: coverLetter, resumeURL: resumeURL)
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/applications/\(application.id)")
        headers.add("ETag", application.etag)
        return .json(201, Representation.application(application), headers: headers)
    }

    static func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = lower.dropFirst(8) } else if lower.hasPrefix("http://") { rest = lower.dropFirst(7) } else { return false }
        return !rest.isEmpty && !rest.hasPrefix("/") && !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
    }
}
