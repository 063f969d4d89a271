import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Users (admin) and the notification log (API.md).
struct UserRoutes: Sendable {
    let database: any Database
    let users: UserService
    let notifications: NotificationService
    let passwords: PasswordHasher

    func register(on router: inout Router) {
        router.add("GET", "/api/users", api: listUsers)
        router.add("POST", "/api/users", api: createUser)
        router.add("GET", "/api/users/{user_id}", api: getUser)
        router.add("PATCH", "/api/users/{user_id}", api: updateUser)
        router.add("GET", "/api/notifications", api: listNotifications)
    }

    func listUsers(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query)
        let filter = UserFilter(role: try query.choice("role", Role.self), q: query.string("q"))
        let result = try database.read(tenant: context.tenant.id) { work in
            try users.list(work, tenant: context.tenant.id, by: try context.requireCaller(in: work), filter: filter, page: pagination.page)
        }
        return pagination.response(result.items, total: result.total, ResourceJSON.write(user:to:))
    }

    func createUser(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let fields = NewUserFields.read(&body, roleRequired: true)
        try body.finish()
        let role = fields.role ?? .candidate
        // Authorize before hashing: Argon2id is deliberately slow.
        _ = try database.read(tenant: context.tenant.id) { try users.authorizeCreation(of: role, by: Actor(try context.requireCaller(in: $0))) }
        let hash = try passwords.hash(fields.password ?? "")
        let user = try database.transaction(tenant: context.tenant.id) { work in
            try users.create(work, tenant: context.tenant.id, by: Actor(try context.requireCaller(in: work)),
                             NewUser(email: fields.email ?? "", passwordHash: hash, fullName: fields.fullName, role: role))
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/users/\(user.id)")
        return .json(201, user, ResourceJSON.write(user:to:), headers: headers)
    }

    func getUser(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = UserID(try context.pathID("user_id"))
        let user = try database.read(tenant: context.tenant.id) { work in
            try users.find(work, tenant: context.tenant.id, by: try context.requireCaller(in: work), id: id)
        }
        return .json(200, user, ResourceJSON.write(user:to:))
    }

    /// Role, activation and name (UserService keeps the tenant's last active admin).
    func updateUser(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = UserID(try context.pathID("user_id"))
        var body = try BodyReader(request, emptyIsObject: true)
        let role = body.choice("role", Role.self)
        let isActive = body.bool("is_active")
        let fullName = body.string("full_name", length: 0...200, nullable: true)
        try body.finish()
        let name: String?? = fullName.map { $0.flatMap { $0.isEmpty ? nil : $0 } }
        let user = try database.transaction(tenant: context.tenant.id) { work in
            try users.update(work, tenant: context.tenant.id, by: try context.requireCaller(in: work), id: id,
                             UserChanges(role: role, isActive: isActive, fullName: name))
        }
        return .json(200, user, ResourceJSON.write(user:to:))
    }

    func listNotifications(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query)
        let status = try query.choice("status", OutboxStatus.self)
        let result = try database.read(tenant: context.tenant.id) { work in
            try notifications.list(work, tenant: context.tenant.id, by: try context.requireCaller(in: work), status: status, page: pagination.page)
        }
        return pagination.response(result.items.map(Representation.notification), total: result.total)
    }
}
