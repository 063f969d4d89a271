import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Applications and the stage workflow (API.md).
struct ApplicationRoutes: Sendable {
    let database: any Database
    let applications: ApplicationService

    func register(on router: inout Router) {
        router.add("GET", "/api/applications", api: { [self] in try listApplications($0, $1, jobFromPath: false) })
        router.add("GET", "/api/jobs/{job_id}/applications", api: { [self] in try listApplications($0, $1, jobFromPath: true) })
        router.add("GET", "/api/applications/{application_id}", api: getApplication)
        router.add("PATCH", "/api/applications/{application_id}/stage", api: changeStage)
        router.add("GET", "/api/applications/{application_id}/events", api: applicationEvents)
        router.add("POST", "/api/applications/{application_id}/reopen", api: reopen)
        router.add("POST", "/api/applications/bulk-stage", api: bulkStage)
    }

    /// Candidates see their own applications; staff see the tenant's.
    func listApplications(_ request: HTTPRequest, _ context: APIContext, jobFromPath: Bool) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query, keyset: true)
        let stage = try query.stage("stage")
        let job = try jobFromPath ? JobID(try context.pathID("job_id")) : query.id("job_id").map(JobID.init(rawValue:))
        let result = try database.read(tenant: context.tenant.id) { work in
            try applications.list(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), job: job,
                                        jobFromPath: jobFromPath, stage: stage, page: pagination.page)
        }
        return pagination.response(result, ResourceJSON.write(application:to:))
    }

    func getApplication(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = ApplicationID(try context.pathID("application_id"))
        let application = try database.read(tenant: context.tenant.id) { work in
            try applications.find(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        var headers = HTTPHeaders()
        headers.add("ETag", application.etag)
        return .json(200, application, ResourceJSON.write(application:to:), headers: headers)
    }

    func applicationEvents(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = ApplicationID(try context.pathID("application_id"))
        let events = try database.read(tenant: context.tenant.id) { work in
            try applications.events(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        var headers = HTTPHeaders()
        headers.add("X-Total-Count", String(events.count))  // the whole history, oldest first: one page
        return .json(200, .array(events.map(Representation.event)), headers: headers)
    }

    /// Moves an application one legal step (or to rejected). With `If-Match`, only from
    /// the version the client saw (412 otherwise). The change, its event and the
    /// candidate's notification commit together (ApplicationService.moveStage).
    func changeStage(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = ApplicationID(try context.pathID("application_id"))
        var body = try BodyReader(request)
        let move = StageMoveFields.read(&body)
        try body.finish()
        guard let target = move.stage else { throw APIError.validation([FieldError("stage", "is required")]) }
        let ifMatch = request.headers["If-Match"]
        let application = try database.transaction(tenant: context.tenant.id) { work in
            try applications.moveStage(work, tenant: context.tenant, actor: try context.requireCaller(in: work), id: id, to: target, note: move.note,
                                             ifMatch: ifMatch.map { header in { ApplicationRoutes.etag(header, matches: $0) } },
                                             rejectionReasonID: move.rejectionReasonID, notifyCandidate: move.notifyCandidate)
        }
        var headers = HTTPHeaders()
        headers.add("ETag", application.etag)
        return .json(200, application, ResourceJSON.write(application:to:), headers: headers)
    }

    /// A rejected application back to the stage it was rejected from.
    func reopen(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = ApplicationID(try context.pathID("application_id"))
        let application = try database.transaction(tenant: context.tenant.id) { work in
            try applications.reopen(work, tenant: context.tenant, actor: try context.requireCaller(in: work), id: id)
        }
        var headers = HTTPHeaders()
        headers.add("ETag", application.etag)
        return .json(200, application, ResourceJSON.write(application:to:), headers: headers)
    }

    /// `{application_ids: [1–500 ids], stage, note?, rejection_reason_id?, notify_candidate?}`:
    /// all or nothing in one transaction (ApplicationService.bulkMove).
    func bulkStage(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        var ids: [ApplicationID] = []
        switch body.raw("application_ids") {
        case nil: body.fail("application_ids", "is required")
        case .array(let items)?:
            let parsed = items.compactMap { item -> ApplicationID? in
                guard case .int(let n) = item, n > 0 else { return nil }
                return ApplicationID(n)
            }
            if parsed.count != items.count {
                body.fail("application_ids", "must be an array of positive ids")
            } else if !ApplicationService.bulkLimit.contains(parsed.count) {
                body.fail("application_ids", "must hold \(ApplicationService.bulkLimit.lowerBound) to \(ApplicationService.bulkLimit.upperBound) ids")
            } else {
                ids = parsed
            }
        case _?: body.fail("application_ids", "must be an array of positive ids")
        }
        let move = StageMoveFields.read(&body)
        try body.finish()
        guard let target = move.stage else { throw APIError.validation([FieldError("stage", "is required")]) }
        let moved = try database.transaction(tenant: context.tenant.id) { work in
            try applications.bulkMove(work, tenant: context.tenant, actor: try context.requireCaller(in: work), ids: ids, to: target, note: move.note,
                                      rejectionReasonID: move.rejectionReasonID, notifyCandidate: move.notifyCandidate)
        }
        return .json(200, .object([("applications", .array(moved.map(Representation.application)))]))
    }

    /// `If-Match` (RFC 9110 §13.1.1): `*`, or a list of strong entity tags.
    static func etag(_ header: String, matches current: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimming(" \t")
            return tag == "*" || tag == current
        }
    }
}

/// What a stage change says besides which applications (`PATCH …/stage`, bulk-stage),
/// read the same way for both.
struct StageMoveFields {
    var stage: Stage?
    var note: String?
    var rejectionReasonID: Int64?
    var notifyCandidate: Bool

    static func read(_ body: inout BodyReader) -> StageMoveFields {
        StageMoveFields(stage: body.stage("stage", required: true),
                        note: body.string("note", length: 0...2000, trim: false, nullable: true) ?? nil,
                        rejectionReasonID: (body.integer("rejection_reason_id", range: 1...Int.max, nullable: true) ?? nil).map(Int64.init),
                        notifyCandidate: body.bool("notify_candidate") ?? true)
    }
}
