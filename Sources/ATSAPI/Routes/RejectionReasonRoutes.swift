import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Rejection reasons (API.md): staff read, admins add, rename and archive.
struct RejectionReasonRoutes: Sendable {
    let database: any Database
    let reasons: RejectionReasonService

    func register(on router: inout Router) {
        router.add("GET", "/api/rejection-reasons", api: listReasons)
        router.add("POST", "/api/rejection-reasons", api: createReason)
        router.add("PATCH", "/api/rejection-reasons/{reason_id}", api: updateReason)
    }

    /// The whole list, archived ones flagged, oldest first: one page (a tenant keeps a
    /// handful), with `X-Total-Count` like every list.
    func listReasons(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let all = try database.read(tenant: context.tenant.id) { work in
            try reasons.list(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work))
        }
        var headers = HTTPHeaders()
        headers.add("X-Total-Count", String(all.count))
        return .json(200, .array(all.map(Representation.rejectionReason)), headers: headers)
    }

    func createReason(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let name = body.string("name", required: true, length: RejectionReasonService.nameLength) ?? nil
        let kind = body.choice("kind", RejectionReason.Kind.self, required: true)
        try body.finish()
        let created = try database.transaction(tenant: context.tenant.id) { work in
            try reasons.create(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), name: name ?? "", kind: kind ?? .weRejected)
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/rejection-reasons/\(created.id)")
        return .json(201, Representation.rejectionReason(created), headers: headers)
    }

    func updateReason(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = try context.pathID("reason_id")
        var body = try BodyReader(request, emptyIsObject: true)
        let name = body.string("name", length: RejectionReasonService.nameLength) ?? nil
        let archived = body.bool("archived")
        try body.finish()
        let updated = try database.transaction(tenant: context.tenant.id) { work in
            try reasons.update(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id, name: name, archived: archived)
        }
        return .json(200, Representation.rejectionReason(updated))
    }
}
