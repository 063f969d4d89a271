import ATSAuth
import ATSCore
import ATSHTTP
import ATSStorage

extension API {
    func registerUserRoutes(_ router: inout Router) {
        router.get("/api/users") { [self] request, _ in try listUsers(request) }
        router.post("/api/users") { [self] request, _ in try createUser(request) }
        router.get("/api/users/{user_id}") { [self] request, context in try getUser(request, context) }
        router.add("PATCH", "/api/users/{user_id}") { [self] request, context in try updateUser(request, context) }
        router.get("/api/notifications") { [self] request, _ in try listNotifications(request) }
    }

    func listUsers(_ request: HTTPRequest) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query)
        let filter = UserFilter(role: try query.choice("role", Role.self), q: query.string("q"))
        let tenant = try tenants.tenant(for: request)
        let result = try database.read(tenant: tenant.id) { work -> PageResult<User> in
            _ = try self.requireCaller(request, tenant: tenant, work, roles: [.admin])
            return try work.users.list(tenant.id, filter: filter, page: pagination.page)
        }
        return API.logged(pagination.response(result.items.map(Representation.user), total: result.total), tenant)
    }

    func createUser(_ request: HTTPRequest) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let (email, password, fullName, role) = readNewUser(&body, roleRequired: true)
        try body.finish()
        let tenant = try tenants.tenant(for: request)
        _ = try database.read(tenant: tenant.id) { try self.requireCaller(request, tenant: tenant, $0, roles: [.admin]) }
        let hash = try passwords.hash(password ?? "")
        let user = try database.transaction(tenant: tenant.id) { work -> User in
            _ = try self.requireCaller(request, tenant: tenant, work, roles: [.admin])
            return try work.users.create(tenant.id, NewUser(email: email ?? "", passwordHash: hash, fullName: fullName, role: role ?? .candidate))
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/users/\(user.id)")
        return API.logged(.json(201, Representation.user(user), headers: headers), tenant)
    }

    func getUser(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let id = UserID(try PathID.from(context, "user_id"))
        let tenant = try tenants.tenant(for: request)
        let user = try database.read(tenant: tenant.id) { work -> User in
            _ = try self.requireCaller(request, tenant: tenant, work, roles: [.admin])
            guard let user = try work.users.find(tenant.id, id: id) else { throw APIError.notFound("No such user.") }
            return user
        }
        return API.logged(.json(200, Representation.user(user)), tenant)
    }

    /// Role, activation and name. The tenant's last active admin can be neither demoted
    /// nor deactivated (409), so a tenant can never lock itself out.
    func updateUser(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let id = UserID(try PathID.from(context, "user_id"))
        var body = try BodyReader(request, emptyIsObject: true)
        let role = body.choice("role", Role.self)
        let isActive = body.bool("is_active")
        let fullName = body.string("full_name", length: 0...200, nullable: true)
        try body.finish()
        let tenant = try tenants.tenant(for: request)
        let user = try database.transaction(tenant: tenant.id) { work -> User in
            _ = try self.requireCaller(request, tenant: tenant, work, roles: [.admin])
            guard let target = try work.users.find(tenant.id, id: id) else { throw APIError.notFound("No such user.") }
            let losesAdmin = target.role == .admin && target.isActive && ((role != nil && role != .admin) || isActive == false)
            if losesAdmin, try work.users.countActiveAdmins(tenant.id) <= 1 {
                throw APIError.conflict("This is the tenant's last active admin; make another admin first.")
            }
            let name: String?? = fullName.map { $0.flatMap { $0.isEmpty ? nil : $0 } }
            return try work.users.update(tenant.id, id: id, UserChanges(role: role, isActive: isActive, fullName: name))
        }
        return API.logged(.json(200, Representation.user(user)), tenant)
    }

    func listNotifications(_ request: HTTPRequest) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query)
        let status = try query.choice("status", OutboxStatus.self)
        let tenant = try tenants.tenant(for: request)
        let result = try database.read(tenant: tenant.id) { work -> PageResult<OutboxMessage> in
            _ = try self.requireCaller(request, tenant: tenant, work, roles: [.admin])
            return try work.outbox.list(tenant.id, filter: NotificationFilter(status: status), page: pagination.page)
        }
        return API.logged(pagination.response(result.items.map(Representation.notification), total: result.total), tenant)
    }
}
