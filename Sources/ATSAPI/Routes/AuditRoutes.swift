import ATSDomain
import ATSFeatures
import ATSHTTP
import ATSPersistence
import ATSSupport

/// The audit log (API.md, Audit log): admins read it; nobody writes it over HTTP (the
/// services do, with every change).
struct AuditRoutes: Sendable {
    let database: any Database
    let audit: AuditService

    func register(on router: inout Router) {
        router.add("GET", "/api/audit-events", api: listAuditEvents)
    }

    /// Newest first, filtered, paginated; the total is counted up to
    /// `SQLAuditRepository.countLimit` (`X-Total-Count-Exact: false` past it).
    func listAuditEvents(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query)
        let filter = AuditFilter(actorID: try query.id("actor_id").map { UserID($0) }, action: try query.choice("action", AuditAction.self)?.rawValue,
                                 resourceType: try query.choice("resource_type", AuditResourceType.self)?.rawValue, resourceID: try query.id("resource_id"),
                                 from: try query.timestamp("from"), to: try query.timestamp("to"))
        let result = try database.read(tenant: context.tenant.id) { work in
            try audit.list(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), filter: filter, page: pagination.page)
        }
        return pagination.response(result.items.map(Representation.auditEvent), total: result.total, exact: result.totalIsExact)
    }
}

extension Representation {
    /// `AuditEvent` (API.md, Audit log).
    static func auditEvent(_ e: AuditEvent) -> JSONValue {
        .object([
            ("id", .int(e.id)), ("actor_id", e.actorID.map { .int($0.rawValue) } ?? .null), ("api_key_id", e.apiKeyID.map(JSONValue.int) ?? .null),
            ("action", .string(e.action)), ("resource_type", .string(e.resourceType)), ("resource_id", e.resourceID.map(JSONValue.int) ?? .null),
            ("request_id", e.requestID.map(JSONValue.string) ?? .null), ("ip", e.ip.map(JSONValue.string) ?? .null),
            ("created_at", .string(e.createdAt.rfc3339)), ("changes", e.changes),
        ])
    }
}
