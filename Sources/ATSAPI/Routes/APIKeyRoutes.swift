import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// API keys for integrations (API.md, API keys): admin only.
struct APIKeyRoutes: Sendable {
    let database: any Database
    let keys: APIKeyService

    func register(on router: inout Router) {
        router.add("GET", "/api/api-keys", api: listKeys)
        router.add("POST", "/api/api-keys", idempotency: .ignored, api: createKey)
        router.add("GET", "/api/api-keys/{key_id}", api: getKey)
        router.add("DELETE", "/api/api-keys/{key_id}", api: revokeKey)
    }

    func listKeys(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let pagination = try Pagination(request, try QueryReader(request))
        let result = try database.read(tenant: context.tenant.id) { work in
            try keys.list(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), page: pagination.page)
        }
        return pagination.response(result.items.map { Representation.apiKey($0) }, total: result.total)
    }

    /// 201 with the key's text, the only time it is ever shown (not cacheable).
    func createKey(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let name = body.string("name", required: true, length: APIKeyService.nameLength) ?? nil
        var role: Role?
        if let chosen = body.choice("role", Role.self, required: true) {
            if APIKey.roles.contains(chosen) { role = chosen } else { body.fail("role", "must be one of recruiter, admin") }
        }
        try body.finish()
        let created = try database.transaction(tenant: context.tenant.id) { work in
            try keys.create(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), name: name ?? "", role: role ?? .recruiter)
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/api-keys/\(created.key.id)")
        headers.add("Cache-Control", "no-store")
        return .json(201, Representation.apiKey(created.key, secret: created.secret), headers: headers)
    }

    func getKey(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = try context.pathID("key_id")
        let key = try database.read(tenant: context.tenant.id) { work in
            try keys.find(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return .json(200, Representation.apiKey(key))
    }

    /// 204; the key is refused from the next request on (every request reads its row).
    func revokeKey(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = try context.pathID("key_id")
        try database.transaction(tenant: context.tenant.id) { work in
            try keys.revoke(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return HTTPResponse(status: 204)
    }
}
