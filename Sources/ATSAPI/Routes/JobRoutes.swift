import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Jobs (API.md, Jobs) and applying to one.
struct JobRoutes: Sendable {
    let database: any Database
    let jobs: JobService
    let applications: ApplicationService

    func register(on router: inout Router) {
        router.add("GET", "/api/jobs", .anyone, api: listJobs)
        router.add("POST", "/api/jobs", api: createJob)
        router.add("GET", "/api/jobs/{job_id}", .anyone, api: getJob)
        router.add("PATCH", "/api/jobs/{job_id}", api: updateJob)
        router.add("DELETE", "/api/jobs/{job_id}", api: deleteJob)
        router.add("POST", "/api/jobs/{job_id}/apply", api: apply)
    }

    func listJobs(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query, keyset: true)
        let status = try query.choice("status", JobStatus.self)
        let result = try database.read(tenant: context.tenant.id) { work in
            try jobs.list(work, tenant: context.tenant.id, caller: try context.caller(in: work), status: status, q: query.string("q"),
                                company: query.string("company"), location: query.string("location"), page: pagination.page)
        }
        return pagination.response(result, ResourceJSON.write(job:to:))
    }

    func createJob(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let fields = readJobFields(&body, creating: true)
        try body.finish()
        let job = try database.transaction(tenant: context.tenant.id) { work in
            let caller = try context.requireCaller(in: work)
            return try jobs.create(work, tenant: context.tenant.id, caller: caller,
                                         NewJob(title: fields.title ?? "", company: fields.company ?? "", description: fields.description ?? nil,
                                                location: fields.location ?? nil, status: fields.status ?? .open, createdBy: caller.id))
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/jobs/\(job.id)")
        return .json(201, job, ResourceJSON.write(job:to:), headers: headers)
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
            try jobs.find(work, tenant: context.tenant.id, caller: try context.caller(in: work), id: id)
        }
        return .json(200, job, ResourceJSON.write(job:to:))
    }

    func updateJob(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = JobID(try context.pathID("job_id"))
        var body = try BodyReader(request, emptyIsObject: true)
        let fields = readJobFields(&body, creating: false)
        try body.finish()
        let job = try database.transaction(tenant: context.tenant.id) { work in
            try jobs.update(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id,
                                  JobChanges(title: fields.title, company: fields.company, description: fields.description,
                                             location: fields.location, status: fields.status))
        }
        return .json(200, job, ResourceJSON.write(job:to:))
    }

    func deleteJob(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = JobID(try context.pathID("job_id"))
        try database.transaction(tenant: context.tenant.id) { work in
            try jobs.delete(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return HTTPResponse(status: 204)
    }

    /// A candidate applies: the application, its first event, and the two notifications
    /// commit together (ApplicationService.apply).
    func apply(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let jobID = JobID(try context.pathID("job_id"))
        var body = try BodyReader(request, emptyIsObject: true)
        let coverLetter = body.string("cover_letter", length: 0...10_000, trim: false, nullable: true) ?? nil
        let resumeURL = body.string("resume_url", length: 1...2000, nullable: true) ?? nil
        if let url = resumeURL, !JobRoutes.isHTTPURL(url) { body.fail("resume_url", "must be an http or https URL") }
        let resumeDocument = body.id("resume_document_id", required: false)
        try body.finish()
        let application = try database.transaction(tenant: context.tenant.id) { work in
            try applications.apply(work, tenant: context.tenant, candidate: try context.requireCaller(in: work), jobID: jobID,
                                   coverLetter: coverLetter, resumeURL: resumeURL, resumeDocumentID: resumeDocument)
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/applications/\(application.id)")
        headers.add("ETag", application.etag)
        return .json(201, application, ResourceJSON.write(application:to:), headers: headers)
    }

    static func isHTTPURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = lower.dropFirst(8) } else if lower.hasPrefix("http://") { rest = lower.dropFirst(7) } else { return false }
        return !rest.isEmpty && !rest.hasPrefix("/") && !text.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
    }
}
