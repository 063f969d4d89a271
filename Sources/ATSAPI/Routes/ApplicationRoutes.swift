import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

extension API {
    func registerApplicationRoutes(_ router: inout Router) {
        router.get("/api/applications") { [self] request, _ in try listApplications(request, jobFromPath: nil) }
        router.get("/api/jobs/{job_id}/applications") { [self] request, context in
            try listApplications(request, jobFromPath: JobID(try PathID.from(context, "job_id")))
        }
        router.get("/api/applications/{application_id}") { [self] request, context in try getApplication(request, context) }
        router.add("PATCH", "/api/applications/{application_id}/stage") { [self] request, context in try changeStage(request, context) }
        router.get("/api/applications/{application_id}/events") { [self] request, context in try applicationEvents(request, context) }
    }

    /// Candidates see their own applications; staff see the tenant's.
    func listApplications(_ request: HTTPRequest, jobFromPath: JobID?) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query)
        let stage = try query.choice("stage", Stage.self)
        let jobFilter = try jobFromPath ?? query.id("job_id").map(JobID.init(rawValue:))
        let tenant = try tenants.tenant(for: request)
        let result = try database.read(tenant: tenant.id) { work -> PageResult<Application> in
            let caller = try self.requireCaller(request, tenant: tenant, work, roles: jobFromPath == nil ? Set(Role.allCases) : API.staff)
            if let jobFromPath, try work.jobs.find(tenant.id, id: jobFromPath) == nil { throw APIError.notFound("No such job.") }
            let filter = ApplicationFilter(jobID: jobFilter, candidateID: caller.role == .candidate ? caller.id : nil, stage: stage)
            return try work.applications.list(tenant.id, filter: filter, page: pagination.page)
        }
        return API.logged(pagination.response(result.items.map(Representation.application), total: result.total), tenant)
    }

    /// Staff, or the candidate who owns it; to anyone else it does not exist (404, never 403).
    private func visibleApplication(_ request: HTTPRequest, _ tenant: Tenant, _ id: ApplicationID, _ work: UnitOfWork) throws -> Application {
        let caller = try requireCaller(request, tenant: tenant, work, roles: Set(Role.allCases))
        guard let application = try work.applications.find(tenant.id, id: id), caller.role.isStaff || application.candidateID == caller.id else {
            throw APIError.notFound("No such application.")
        }
        return application
    }

    func getApplication(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let id = ApplicationID(try PathID.from(context, "application_id"))
        let tenant = try tenants.tenant(for: request)
        let application = try database.read(tenant: tenant.id) { try self.visibleApplication(request, tenant, id, $0) }
        var headers = HTTPHeaders()
        headers.add("ETag", Representation.etag(application))
        return API.logged(.json(200, Representation.application(application), headers: headers), tenant)
    }

    func applicationEvents(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let id = ApplicationID(try PathID.from(context, "application_id"))
        let tenant = try tenants.tenant(for: request)
        let events = try database.read(tenant: tenant.id) { work -> [ApplicationEvent] in
            _ = try self.visibleApplication(request, tenant, id, work)
            return try work.applications.events(tenant.id, application: id)
        }
        var headers = HTTPHeaders()
        headers.add("X-Total-Count", String(events.count))  // the whole history, oldest first: one page
        return API.logged(.json(200, .array(events.map(Representation.event)), headers: headers), tenant)
    }

    /// Moves an application one legal step (or to rejected). With `If-Match`, only from
    /// the version the client saw (412 otherwise). The change, its event and the
    /// candidate's notification commit together.
    func changeStage(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let id = ApplicationID(try PathID.from(context, "application_id"))
        var body = try BodyReader(request)
        let target = body.choice("stage", Stage.self, required: true)
        let note = body.string("note", length: 0...2000, trim: false, nullable: true) ?? nil
        try body.finish()
        guard let target else { throw APIError.validation([FieldError("stage", "is required")]) }
        let ifMatch = request.headers["If-Match"]
        let tenant = try tenants.tenant(for: request)
        let application = try database.transaction(tenant: tenant.id) { work -> Application in
            let caller = try self.requireCaller(request, tenant: tenant, work, roles: API.staff)
            guard let current = try work.applications.find(tenant.id, id: id) else { throw APIError.notFound("No such application.") }
            if let ifMatch, !API.etag(ifMatch, matches: Representation.etag(current)) {
                throw APIError.preconditionFailed("The application changed since you read it (ETag \(Representation.etag(current))).")
            }
            guard current.stage.canMove(to: target) else {
                throw APIError.conflict("An application in stage \(current.stage.rawValue) cannot move to \(target.rawValue).", allowed: current.stage.allowedNext)
            }
            let updated: Application
            do {
                updated = try work.applications.changeStage(tenant.id, id: id, to: target, expectedVersion: current.version, actor: caller.id, note: note)
            } catch StorageError.staleVersion where ifMatch != nil {
                throw APIError.preconditionFailed("The application changed since you read it.")
            }
            let job = try work.jobs.find(tenant.id, id: updated.jobID)
            let candidate = try work.users.find(tenant.id, id: updated.candidateID)
            try Notifications.stageChanged(work, tenant: tenant, job: job, candidate: candidate, application: updated, from: current.stage, note: note)
            return updated
        }
        var headers = HTTPHeaders()
        headers.add("ETag", Representation.etag(application))
        return API.logged(.json(200, Representation.application(application), headers: headers), tenant)
    }

    /// `If-Match` (RFC 9110 §13.1.1): `*`, or a list of strong entity tags.
    static func etag(_ header: String, matches current: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimming(" \t")
            return tag == "*" || tag == current
        }
    }
}
