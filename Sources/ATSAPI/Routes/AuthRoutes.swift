import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Sign-up, login and the caller's own account (API.md, Auth).
struct AuthRoutes: Sendable {
    let database: any Database
    let users: UserService
    let accounts: AccountService
    let configuration: APIConfiguration
    let tokens: TokenSigner
    let passwords: PasswordHasher
    let loginLimiter: RateLimiter
    let signupLimiter: RateLimiter
    /// A real Argon2id hash of a random password: unknown emails are checked against it,
    /// so they cost the same time as wrong passwords.
    let dummyHash: String

    func register(on router: inout Router) {
        router.add("POST", "/api/auth/signup", .anyone, api: signup)
        router.add("POST", "/api/auth/login", .anyone, idempotency: .ignored, api: login)
        router.add("GET", "/api/auth/me", api: me)
        registerAccountRoutes(on: &router)
    }

    /// Public signup creates candidates; another role needs an admin of the tenant.
    func signup(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let fields = NewUserFields.read(&body, roleRequired: false)
        try body.finish()
        let tenant = context.tenant
        let role = fields.role ?? .candidate
        // A present Authorization header is always checked (never silently anonymous),
        // and the role before the password is hashed (Argon2id is deliberately slow).
        if request.headers.contains("Authorization") || role != .candidate {
            _ = try database.read(tenant: tenant.id) { try users.authorizeCreation(of: role, by: Actor(try context.caller(in: $0))) }
        }
        try limitSignups(request, context)
        // Argon2id only for an address that is free (the insert still guards the race).
        guard try database.read(tenant: tenant.id, { try $0.users.find(tenant.id, email: fields.email ?? "") }) == nil else {
            throw StorageError.duplicateEmail
        }
        let hash = try passwords.hash(fields.password ?? "")
        let user = try database.transaction(tenant: tenant.id) { work in
            try users.create(work, tenant: tenant.id, by: Actor(try context.caller(in: work)),
                             NewUser(email: fields.email ?? "", passwordHash: hash, fullName: fields.fullName, role: role))
        }
        return .json(201, user, ResourceJSON.write(user:to:))
    }

    /// `signupsPerAddressPerHour` per client address, then `signupsPerTenantPerHour` per
    /// tenant (an attempt refused there is given back to the address): 429 past either.
    private func limitSignups(_ request: HTTPRequest, _ context: APIContext) throws {
        guard configuration.signupsPerAddressPerHour > 0 else { return }
        let addressKey = "a:" + clientAddress(request, context)
        if let wait = signupLimiter.attempt(addressKey, limit: configuration.signupsPerAddressPerHour) { throw APIError.tooManyRequests(retryAfter: wait) }
        if let wait = signupLimiter.attempt("t:\(context.tenant.id)", limit: configuration.signupsPerTenantPerHour) {
            signupLimiter.refund(addressKey)
            throw APIError.tooManyRequests(retryAfter: wait)
        }
    }

    /// The client's IP address for per-client limits: the peer, or when the peer is a
    /// trusted proxy, the client its `X-Forwarded-For` names.
    func clientAddress(_ request: HTTPRequest, _ context: APIContext) -> String {
        CallerIdentity.clientAddress(request, context.route, trustedProxies: configuration.trustedProxies)
    }

    /// JSON `{email, password}` or the OAuth2 password form (`username`, `password`).
    /// Unknown email and wrong password get the same answer after the same work.
    func login(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let (rawEmail, password) = try readCredentials(request)
        let tenant = context.tenant
        let address = clientAddress(request, context)
        // The address first, and nothing more on 429: a client already limited must not
        // add to any account's count (docs/security.md).
        let addressKey = try limitAddress(address)
        // Something that is not an email cannot match an account; refusing it before the
        // per-email limits keeps huge or odd usernames out of the limiter.
        guard let email = Validation.normalizedEmail(rawEmail), !password.unicodeScalars.contains("\u{0}") else {
            _ = passwords.verify(password, against: dummyHash)  // same cost as a real check
            try database.transaction(tenant: tenant.id) { try accounts.recordFailedLogin($0, tenant: tenant.id, email: rawEmail, account: nil) }
            throw APIError.unauthorized("Incorrect email or password.")
        }
        let attempt = try limitAccount(tenant: tenant.id, address: address, addressKey: addressKey, email: email)
        let user = try database.read(tenant: tenant.id) { try $0.users.find(tenant.id, email: email) }
        // A user without a password (added by staff, not yet invited in) is checked
        // against the dummy hash too: the same 401 after the same work.
        let matches = passwords.verify(password, against: user.flatMap { $0.hasPassword ? $0.passwordHash : nil } ?? dummyHash)
        guard let user, matches, user.isActive, user.hasPassword else {
            // Audited like any attempt that reached the check (those refused with 429 are not).
            try database.transaction(tenant: tenant.id) { try accounts.recordFailedLogin($0, tenant: tenant.id, email: rawEmail, account: user) }
            throw APIError.unauthorized("Incorrect email or password.")
        }
        loginSucceeded(attempt)
        // The only write of a login, after the check: the activity the retention sweep
        // reads, and the audit entry.
        try database.transaction(tenant: tenant.id) { try accounts.recordLogin($0, tenant: tenant.id, user: user, email: rawEmail) }
        return tokenResponse(for: user, tenant: tenant.id)
    }

    /// The login limiter's keys for one attempt on an account from one client.
    struct LoginAttempt {
        let addressKey: String
        let pairKey: String
        let emailKey: String
    }

    /// Counts an attempt from the client address: 429 past its limit (then nothing more
    /// is counted: a client already limited must not add to any account's count).
    func limitAddress(_ address: String) throws -> String {
        let addressKey = "a:" + address
        if let wait = loginLimiter.attempt(addressKey, limit: configuration.loginFailuresPerAddress) { throw APIError.tooManyRequests(retryAfter: wait) }
        return addressKey
    }

    /// Counts an attempt on `email` (normalized) from the address and from anywhere.
    func limitAccount(tenant: TenantID, address: String, addressKey: String, email: String) throws -> LoginAttempt {
        let pairKey = "p:\(tenant):\(address):\(email)"
        let emailKey = "e:\(tenant):\(email)"
        if let wait = loginLimiter.attempt(pairKey, limit: configuration.loginFailuresPerEmail) { throw APIError.tooManyRequests(retryAfter: wait) }
        if let wait = loginLimiter.attempt(emailKey, limit: configuration.loginFailuresPerEmailAllAddresses) {
            loginLimiter.refund(pairKey)
            throw APIError.tooManyRequests(retryAfter: wait)
        }
        return LoginAttempt(addressKey: addressKey, pairKey: pairKey, emailKey: emailKey)
    }

    /// Successes use up no budget: not a shared address's, nor the account's. A failure
    /// keeps its counts (login, and a wrong current password on a password change).
    func loginSucceeded(_ attempt: LoginAttempt) {
        loginLimiter.reset(attempt.pairKey)
        loginLimiter.refund(attempt.emailKey)
        loginLimiter.refund(attempt.addressKey)
    }

    /// The token response (login, password change, reset confirmation): signed with the
    /// user's current session epoch; never cached.
    func tokenResponse(for user: User, tenant: TenantID) -> HTTPResponse {
        let now = Timestamp.now().unixSeconds
        let token = tokens.sign(TokenClaims(userID: user.id, tenantID: tenant, issuedAt: now, expiresAt: now + configuration.tokenLifetimeSeconds,
                                            sessionEpoch: user.sessionEpoch))
        var headers = HTTPHeaders()
        headers.add("Cache-Control", "no-store")
        return .json(200, .object([
            ("access_token", .string(token)), ("token_type", .string("bearer")), ("expires_in", .int(configuration.tokenLifetimeSeconds)),
        ]), headers: headers)
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

    func me(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let user = try database.read(tenant: context.tenant.id) { try context.requireCaller(in: $0) }
        return .json(200, user, ResourceJSON.write(user:to:))
    }
}

/// The fields of a new account (signup, admin create), validated together.
struct NewUserFields {
    var email: String?
    var password: String?
    var fullName: String?
    var role: Role?

    static func read(_ body: inout BodyReader, roleRequired: Bool) -> NewUserFields {
        var email: String?
        if let raw = body.string("email", required: true, length: 1...320) ?? nil {
            email = Validation.normalizedEmail(raw)
            if email == nil { body.fail("email", "is not an email address") }
        }
        let password = body.string("password", required: true, length: 8...1024, trim: false) ?? nil
        let fullName = body.string("full_name", length: 0...200, nullable: true) ?? nil
        let role = body.choice("role", Role.self, required: roleRequired)
        return NewUserFields(email: email, password: password, fullName: fullName.flatMap { $0.isEmpty ? nil : $0 }, role: role)
    }
}
