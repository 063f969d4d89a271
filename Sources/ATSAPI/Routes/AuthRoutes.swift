import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSPersistence

extension API {
    func registerAuthRoutes(_ router: inout Router) {
        router.post("/api/auth/signup") { [self] request, context in try signup(request, context) }
        router.post("/api/auth/login") { [self] request, context in try login(request, context) }
        router.get("/api/auth/me") { [self] request, _ in try me(request) }
    }

    /// Public signup creates candidates; another role needs an admin of the tenant.
    func signup(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let (email, password, fullName, role) = readNewUser(&body, roleRequired: false)
        try body.finish()
        let tenant = try tenants.tenant(for: request)
        let wantedRole = role ?? .candidate
        // A present Authorization header is always checked: never silently anonymous.
        let caller = request.headers.contains("Authorization")
            ? try database.read(tenant: tenant.id) { try self.caller(request, tenant: tenant, $0) } : nil
        if wantedRole != .candidate {
            guard caller?.role == .admin else { throw APIError.forbidden("Only an admin may create a \(wantedRole.rawValue).") }
        }
        try limitSignups(request, context, tenant)
        // Argon2id only for an address that is free (the insert still guards the race).
        guard try database.read(tenant: tenant.id, { try $0.users.find(tenant.id, email: email ?? "") }) == nil else { throw StorageError.duplicateEmail }
        let hash = try passwords.hash(password ?? "")
        let user = try database.transaction(tenant: tenant.id) {
            try $0.users.create(tenant.id, NewUser(email: email ?? "", passwordHash: hash, fullName: fullName, role: wantedRole))
        }
        return API.logged(.json(201, Representation.user(user)), tenant)
    }

    /// `signupsPerAddressPerHour` per client address, then `signupsPerTenantPerHour` per
    /// tenant (an attempt refused there is given back to the address): 429 past either.
    private func limitSignups(_ request: HTTPRequest, _ context: RequestContext, _ tenant: Tenant) throws {
        guard configuration.signupsPerAddressPerHour > 0 else { return }
        let addressKey = "a:" + clientAddress(request, context)
        if let wait = signupLimiter.attempt(addressKey, limit: configuration.signupsPerAddressPerHour) { throw APIError.tooManyRequests(retryAfter: wait) }
        if let wait = signupLimiter.attempt("t:\(tenant.id)", limit: configuration.signupsPerTenantPerHour) {
            signupLimiter.refund(addressKey)
            throw APIError.tooManyRequests(retryAfter: wait)
        }
    }

    /// Reads email, password, full_name and role, validating each.
    func readNewUser(_ body: inout BodyReader, roleRequired: Bool) -> (String?, String?, String?, Role?) {
        var email: String?
        if let raw = body.string("email", required: true, length: 1...320) ?? nil {
            email = Validation.normalizedEmail(raw)
            if email == nil { body.fail("email", "is not an email address") }
        }
        let password = body.string("password", required: true, length: 8...1024, trim: false) ?? nil
        let fullName = body.string("full_name", length: 0...200, nullable: true) ?? nil
        let role = body.choice("role", Role.self, required: roleRequired)
        return (email, password, fullName.flatMap { $0.isEmpty ? nil : $0 }, role)
    }

    /// JSON `{email, password}` or the OAuth2 password form (`username`, `password`).
    /// Unknown email and wrong password get the same answer after the same work.
    func login(_ request: HTTPRequest, _ context: RequestContext) throws -> HTTPResponse {
        let (rawEmail, password) = try readCredentials(request)
        let tenant = try tenants.tenant(for: request)
        let address = clientAddress(request, context)
        // The address first, and nothing more on 429: a client already limited must not
        // add to any account's count (docs/security.md).
        let addressKey = "a:" + address
        if let wait = loginLimiter.attempt(addressKey, limit: configuration.loginFailuresPerAddress) { throw APIError.tooManyRequests(retryAfter: wait) }
        // Something that is not an email cannot match an account; refusing it before the
        // per-email limits keeps huge or odd usernames out of the limiter.
        guard let email = Validation.normalizedEmail(rawEmail), !password.unicodeScalars.contains("\u{0}") else {
            _ = passwords.verify(password, against: dummyHash)  // same cost as a real check
            throw APIError.unauthorized("Incorrect email or password.")
        }
        let pairKey = "p:\(tenant.id):\(address):\(email)"
        let emailKey = "e:\(tenant.id):\(email)"
        if let wait = loginLimiter.attempt(pairKey, limit: configuration.loginFailuresPerEmail) { throw APIError.tooManyRequests(retryAfter: wait) }
        if let wait = loginLimiter.attempt(emailKey, limit: configuration.loginFailuresPerEmailAllAddresses) {
            loginLimiter.refund(pairKey)
            throw APIError.tooManyRequests(retryAfter: wait)
        }
        let user = try database.read(tenant: tenant.id) { try $0.users.find(tenant.id, email: email) }
        let matches = passwords.verify(password, against: user?.passwordHash ?? dummyHash)
        guard let user, matches, user.isActive else { throw APIError.unauthorized("Incorrect email or password.") }
        // Successes use up no budget: not a shared address's, nor the account's.
        loginLimiter.reset(pairKey)
        loginLimiter.refund(emailKey)
        loginLimiter.refund(addressKey)
        let now = API.now()
        let token = tokens.sign(TokenClaims(userID: user.id, tenantID: tenant.id, issuedAt: now, expiresAt: now + configuration.tokenLifetimeSeconds))
        var headers = HTTPHeaders()
        headers.add("Cache-Control", "no-store")
        return API.logged(.json(200, .object([
            ("access_token", .string(token)), ("token_type", .string("bearer")), ("expires_in", .int(configuration.tokenLifetimeSeconds)),
        ]), headers: headers), tenant)
    }

    private func readCredentials(_ request: HTTPRequest) throws -> (String, String) {
        let contentType = request.headers["Content-Type"]?.lowercased() ?? ""
        if contentType.hasPrefix("application/x-www-form-urlencoded") {
            guard let text = String(validating: request.body, as: UTF8.self) else { throw APIError.badRequest("The form is not UTF-8.") }
            guard let pairs = PercentEncoding.formPairs(Substring(text)) else { throw APIError.badRequest("The form is malformed.") }
            var fields: [String: String] = [:]
            for pair in pairs { fields[pair.name] = pair.value }
            var errors: [FieldError] = []
            if (fields["username"] ?? "").isEmpty { errors.append(FieldError("username", "is required")) }
            if (fields["password"] ?? "").isEmpty { errors.append(FieldError("password", "is required")) }
            guard errors.isEmpty, let username = fields["username"], let password = fields["password"] else { throw APIError.validation(errors) }
            guard password.unicodeScalars.count <= 1024 else { throw APIError.unauthorized("Incorrect email or password.") }
            return (username, password)
        }
        var body = try BodyReader(request)
        let email = body.string("email", required: true, length: 1...320) ?? nil
        let password = body.string("password", required: true, length: 1...1024, trim: false) ?? nil
        try body.finish()
        return (email ?? "", password ?? "")
    }

    func me(_ request: HTTPRequest) throws -> HTTPResponse {
        let tenant = try tenants.tenant(for: request)
        let user = try database.read(tenant: tenant.id) { try self.requireCaller(request, tenant: tenant, $0, roles: Set(Role.allCases)) }
        return API.logged(.json(200, Representation.user(user)), tenant)
    }
}
