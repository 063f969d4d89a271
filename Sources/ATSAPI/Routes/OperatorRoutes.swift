import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// The hosting company's API (API.md, Operators): tenants listed, created (the admin is
/// invited), renamed, suspended, deleted, and their usage. No tenant: these routes sit
/// outside the tenant middleware. `Authorization: Bearer <ATS_OPERATOR_TOKEN>`, compared
/// in constant time; without a configured token every route is 404 as if absent.
struct OperatorRoutes: Sendable {
    let database: any Database
    let tenants: TenantService
    let accounts: AccountService
    let directory: TenantDirectory
    let requests: TenantRequestCounter
    let defaultTenant: String
    /// SHA-256 of the operator token: compared with the presented token's, so the
    /// comparison takes the same time whatever the lengths.
    private let tokenHash: String?

    init(database: any Database, tenants: TenantService, accounts: AccountService, directory: TenantDirectory, requests: TenantRequestCounter,
         configuration: APIConfiguration) {
        self.database = database
        self.tenants = tenants
        self.accounts = accounts
        self.directory = directory
        self.requests = requests
        defaultTenant = configuration.defaultTenant
        tokenHash = configuration.operatorToken.map { Sodium.sha256Hex($0) }
    }

    static let base = "/api/operator/tenants"

    /// Registers the routes, each checking the token before anything else (the body included).
    func register(on router: inout Router) {
        let routes: [(String, String, HTTPHandler)] = [
            ("GET", Self.base, listTenants), ("POST", Self.base, createTenant),
            ("PATCH", Self.base + "/{slug}", updateTenant), ("DELETE", Self.base + "/{slug}", deleteTenant),
            ("GET", Self.base + "/{slug}/usage", usage),
        ]
        for (method, template, handler) in routes {
            router.add(method, template) { [self] request, context in
                try authorize(request)
                return try handler(request, context)
            }
        }
    }

    func listTenants(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let pagination = try Pagination(request, try QueryReader(request))
        let all = try tenants.list(database)
        let page = all.dropFirst(pagination.page.offset).prefix(pagination.page.limit)
        return .json(200, .array(page.map(Self.representation)), headers: pagination.headers(total: all.count))
    }

    /// `{slug, name, admin_email, admin_name?}` → 201; the admin is mailed an invitation
    /// (valid 7 days) in the same transaction as the tenant.
    func createTenant(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let slug = body.string("slug", required: true, length: 2...63) ?? nil
        if let slug, !Tenant.isValidSlug(slug) { body.fail("slug", "must match [a-z0-9][a-z0-9-]{1,62}") }
        let name = body.string("name", required: true, length: TenantSettingsService.nameLength) ?? nil
        var email: String?
        if let raw = body.string("admin_email", required: true, length: 3...320) ?? nil {
            email = Validation.normalizedEmail(raw)
            if email == nil { body.fail("admin_email", "is not an email address") }
        }
        let adminName = body.string("admin_name", length: 1...200, nullable: true) ?? nil
        try body.finish()
        let tenant = try tenants.create(database, slug: slug ?? "", name: name ?? "",
                                        admin: TenantService.FirstAdmin(email: email ?? "", fullName: adminName, invitations: accounts))
        directory.invalidate(slug: tenant.slug)  // a cached "no such tenant" must not outlive the creation here
        var headers = HTTPHeaders()
        headers.add("Location", "\(Self.base)/\(tenant.slug)")
        return .json(201, Self.representation(tenant), headers: headers)
    }

    /// `{name?, status?: active|suspended}` → 200. A suspension holds on this replica
    /// from the next request, on others within the tenant cache's few seconds.
    func updateTenant(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let slug = try Self.slug(context)
        var body = try BodyReader(request, emptyIsObject: true)
        let name = body.string("name", length: TenantSettingsService.nameLength) ?? nil
        let status = body.choice("status", TenantStatus.self)
        try body.finish()
        let tenant = try tenants.update(database, slug: slug, name: name, status: status)
        directory.invalidate(slug: slug)
        return .json(200, Self.representation(tenant))
    }

    /// `?confirm=<slug>` (the slug repeated, so a wrong path deletes nothing) → 204:
    /// the tenant and every row it owns (TenantData). The default tenant is refused (409).
    func deleteTenant(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let slug = try Self.slug(context)
        let tenant = try tenants.find(database, slug: slug)
        guard try QueryReader(request).string("confirm") == slug else {
            throw APIError.validation([FieldError("confirm", "must repeat the tenant's slug")])
        }
        try tenants.delete(database, slug: slug, confirmation: slug, defaultTenant: defaultTenant)
        directory.invalidate(slug: slug)
        requests.forget(tenant.id)
        return HTTPResponse(status: 204)
    }

    /// `{users, candidates, jobs, applications, documents_bytes, requests_24h}`:
    /// `requests_24h` is this process's count (docs/api-reference.md, Operators).
    func usage(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let tenant = try tenants.find(database, slug: try Self.slug(context))
        let counts = try tenants.usage(database, tenant: tenant)
        let fields = counts.map { ($0.name, JSONValue.int($0.value)) } + [("requests_24h", JSONValue.int(Int64(requests.last24Hours(tenant.id))))]
        return .json(200, .object(fields))
    }

    static func representation(_ tenant: Tenant) -> JSONValue {
        .object([("slug", .string(tenant.slug)), ("name", .string(tenant.name)), ("status", .string(tenant.status.rawValue)),
                 ("created_at", .string(tenant.createdAt.rfc3339))])
    }

    /// The `{slug}` of the path; 404 when it cannot be one.
    static func slug(_ context: RequestContext) throws -> String {
        guard let slug = context.parameters["slug"], Tenant.isValidSlug(slug) else { throw APIError.notFound("No such tenant.") }
        return slug
    }

    /// 404 without a configured token (the routes do not exist then); 401 for a missing
    /// or wrong token (a tenant user's token or API key included).
    func authorize(_ request: HTTPRequest) throws {
        guard let tokenHash else { throw APIError.notFound("Not found.") }
        guard let header = request.headers["Authorization"] else { throw APIError.unauthorized("The operator token is required.") }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
              APIKeySecret.matches(Sodium.sha256Hex(String(parts[1]).trimming(" ")), stored: tokenHash) else {
            throw APIError.unauthorized("The operator token is invalid.")
        }
    }
}
