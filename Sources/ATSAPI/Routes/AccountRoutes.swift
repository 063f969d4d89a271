import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Passwords, sessions, invitations and the caller's own profile (API.md, Accounts):
/// part of the auth routes, as they share the login limiter and the token response.
extension AuthRoutes {
    func registerAccountRoutes(on router: inout Router) {
        router.add("POST", "/api/auth/password", idempotency: .ignored, api: changePassword)
        router.add("POST", "/api/auth/password-reset", .anyone, api: requestPasswordReset)
        router.add("POST", "/api/auth/password-reset/confirm", .anyone, idempotency: .ignored, api: confirmPasswordReset)
        router.add("POST", "/api/auth/logout", api: logout)
        router.add("PATCH", "/api/auth/me", api: updateMe)
    }

    /// `{current_password, new_password}` → a fresh token of the new session epoch (every
    /// other session ends). A wrong current password is 422 on it and counts as a failed
    /// login of the caller's email for the login limiter (429 past it, as login).
    func changePassword(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let current = body.string("current_password", required: true, length: 1...1024, trim: false) ?? nil
        let new = body.string("new_password", required: true, length: 8...1024, trim: false) ?? nil
        try body.finish()
        let tenant = context.tenant.id
        let caller = try database.read(tenant: tenant) { try context.requireCaller(in: $0) }
        try accounts.requirePerson(caller)
        let address = clientAddress(request, context)
        let attempt = try limitAccount(tenant: tenant, address: address, addressKey: try limitAddress(address), email: caller.email)
        guard passwords.verify(current ?? "", against: caller.hasPassword ? caller.passwordHash : dummyHash) else {
            throw APIError.validation([FieldError("current_password", "is not your current password")])
        }
        loginSucceeded(attempt)
        let hash = try passwords.hash(new ?? "")
        let user = try database.transaction(tenant: tenant) { work in
            // The caller again, in this unit of work: a logout that came in between wins.
            try accounts.changePassword(work, tenant: tenant, user: try context.requireCaller(in: work), passwordHash: hash)
        }
        return tokenResponse(for: user, tenant: tenant)
    }

    /// `{email}` → 202 whatever the email (known, unknown, inactive, not an email): the
    /// same body, after the same token generation, sealing and count (AccountService).
    func requestPasswordReset(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        // Any string: a malformed one is answered like an unknown one (no oracle).
        let raw = body.string("email", required: true, length: 0...100_000) ?? nil
        try body.finish()
        let email = raw.flatMap(Validation.normalizedEmail)
        _ = try database.transaction(tenant: context.tenant.id) { try accounts.requestReset($0, tenant: context.tenant, email: email) }
        var headers = HTTPHeaders()
        headers.add("Cache-Control", "no-store")
        return .json(202, .object([
            ("detail", .string("If an active account has this email, a password reset mail is on its way. The link in it is valid for 30 minutes.")),
        ]), headers: headers)
    }

    /// `{token, new_password}` → a token response: the reset (or invitation) token is used,
    /// with every other outstanding token of the user, the password set and every
    /// session ended. An unknown, used or expired token is 422 on `token`, found before
    /// the new password is hashed.
    func confirmPasswordReset(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let token = body.string("token", required: true, length: 1...200, trim: false) ?? nil
        let new = body.string("new_password", required: true, length: 8...1024, trim: false) ?? nil
        try body.finish()
        let tenant = context.tenant.id
        _ = try database.read(tenant: tenant) { try accounts.checkToken($0, tenant: tenant, token: token ?? "") }
        let hash = try passwords.hash(new ?? "")
        let user = try database.transaction(tenant: tenant) { try accounts.confirm($0, tenant: tenant, token: token ?? "", passwordHash: hash) }
        return tokenResponse(for: user, tenant: tenant)
    }

    /// Ends every session of the caller (all their tokens) → 204. An empty body is `{}`.
    func logout(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let body = try BodyReader(request, emptyIsObject: true)
        try body.finish()
        try database.transaction(tenant: context.tenant.id) { work in
            try accounts.logout(work, tenant: context.tenant.id, user: try context.requireCaller(in: work))
        }
        return HTTPResponse(status: 204)
    }

    /// `{full_name?, phone?, location?, links?}`: candidates edit their profile and get a
    /// `Candidate`; staff change only `full_name` (the rest is 422) and get a `User`.
    /// Role, email, tags and source are unknown fields here (422).
    func updateMe(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request, emptyIsObject: true)
        let fields = ProfileFields.read(&body, [.fullName, .phone, .location, .links])
        try body.finish()
        let user = try database.transaction(tenant: context.tenant.id) { work in
            try accounts.updateProfile(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), fields.changes)
        }
        return .json(200, user.role == .candidate ? Representation.candidate(user) : Representation.user(user))
    }
}
