import ATSAuth
import ATSDomain
import ATSPersistence
import ATSSupport

/// The rules for passwords, sessions and invitations (API.md, Accounts): reset and
/// invitation tokens (stored as hashes, mailed sealed), the reset limit, session epochs,
/// and the caller's own profile. Argon2id runs in the routes, outside any transaction;
/// the service takes the finished hash.
public struct AccountService: Sendable {
    /// A reset token's life, and an invitation's.
    public static let resetLifetimeSeconds: Int64 = 30 * 60
    public static let invitationLifetimeSeconds: Int64 = 7 * 24 * 3600
    /// Reset mails per account per hour; past it a request is still 202 but mails nothing.
    public static let resetsPerHour = 3

    private let sealer: SecretSealer
    /// `ATS_RESET_URL` (with `{token}`), copied into each mail's payload so the composer
    /// (in `ats serve` or `ats worker`) builds the link as the request's server meant it.
    private let resetURL: String?

    public init(sealer: SecretSealer, resetURL: String? = nil) {
        self.sealer = sealer
        self.resetURL = resetURL
    }

    /// Mails a reset token to the active user with this email, at most `resetsPerHour`
    /// times an hour (counted in the database, so all replicas share the count). The
    /// caller answers the same whatever happens here: the token is generated, hashed and
    /// sealed and the count is read on every path (for an unknown email, of no user), so
    /// the paths differ only by the two inserts of a mail actually sent. Returns whether
    /// a mail was queued (for tests and logs, never for the client).
    @discardableResult
    public func requestReset(_ work: UnitOfWork, tenant: Tenant, email: String?) throws -> Bool {
        let secret = try AccountToken.generate()
        let sealed = sealer.seal(secret.token)
        let user = try email.flatMap { try work.users.find(tenant.id, email: $0) }
        let now = work.transaction.now()
        let issued = try work.passwordTokens.countIssued(tenant.id, userID: user?.id ?? UserID(0), purpose: .reset,
                                                         since: Timestamp(microseconds: now.microseconds - 3_600_000_000))
        guard let user, user.isActive, user.anonymizedAt == nil, issued < Self.resetsPerHour else { return false }
        _ = try work.passwordTokens.create(tenant.id, userID: user.id, purpose: .reset, tokenHash: secret.hash,
                                           expiresAt: Timestamp(microseconds: now.microseconds + Self.resetLifetimeSeconds * 1_000_000))
        try queueMail(work, .passwordReset, tenant: tenant, to: user, sealed: sealed, extra: [("expires_minutes", .int(Self.resetLifetimeSeconds / 60))])
        return true
    }

    /// Mails `user` (active, created by staff without a password) an invitation: a
    /// token valid 7 days that sets their first password, naming the tenant and, when
    /// given, the inviter. In the caller's unit of work, so it commits with the account.
    public func invite(_ work: UnitOfWork, tenant: Tenant, user: User, by inviter: User?) throws {
        guard user.isActive, user.anonymizedAt == nil else { throw DomainError.conflict("This account is inactive.") }
        guard !user.hasPassword else { throw DomainError.conflict("This account already has a password; its owner can reset it.") }
        let secret = try AccountToken.generate()
        let now = work.transaction.now()
        _ = try work.passwordTokens.create(tenant.id, userID: user.id, purpose: .invite, tokenHash: secret.hash,
                                           expiresAt: Timestamp(microseconds: now.microseconds + Self.invitationLifetimeSeconds * 1_000_000))
        let inviterName = inviter.map { $0.fullName ?? $0.email }
        try queueMail(work, .invitation, tenant: tenant, to: user, sealed: sealer.seal(secret.token),
                      extra: [("inviter_name", inviterName.map(JSONValue.string) ?? .null), ("expires_days", .int(Self.invitationLifetimeSeconds / 86400))])
    }

    private func queueMail(_ work: UnitOfWork, _ kind: NotificationKind, tenant: Tenant, to user: User, sealed: String,
                           extra: [(String, JSONValue)]) throws {
        let payload = JSONValue.object([
            ("tenant_name", .string(tenant.name)), ("full_name", user.fullName.map(JSONValue.string) ?? .null),
            ("sealed_token", .string(sealed)), ("link_template", resetURL.map(JSONValue.string) ?? .null),
        ] + extra)
        _ = try work.outbox.enqueue(tenant.id, NewOutboxMessage(kind: kind.rawValue, recipient: user.email, payload: payload.text))
    }

    /// The usable token's record, or 422 on `token`: the check before the (slow) new
    /// password is hashed, so a guessed token costs no Argon2id. Changes nothing.
    public func checkToken(_ work: UnitOfWork, tenant: TenantID, token: String) throws -> PasswordToken {
        guard let found = try work.passwordTokens.findUsable(tenant, tokenHash: AccountToken.hash(token), now: work.transaction.now()),
              let user = try work.users.find(tenant, id: found.userID), user.isActive, user.anonymizedAt == nil else { throw Self.badToken }
        return found
    }

    /// Uses the token (once: a concurrent second use finds it used), sets the password,
    /// consumes the user's other outstanding tokens and ends their sessions: the user
    /// as it now is, with the new session epoch to sign a token with.
    public func confirm(_ work: UnitOfWork, tenant: TenantID, token: String, passwordHash: String) throws -> User {
        let now = work.transaction.now()
        guard let redeemed = try work.passwordTokens.redeem(tenant, tokenHash: AccountToken.hash(token), now: now),
              var user = try work.users.find(tenant, id: redeemed.userID), user.isActive, user.anonymizedAt == nil else { throw Self.badToken }
        try work.users.setPassword(tenant, id: user.id, passwordHash: passwordHash)
        try work.passwordTokens.consumeAll(tenant, userID: user.id, now: now)
        user.sessionEpoch = try work.users.endSessions(tenant, id: user.id)
        try work.users.touch(tenant, id: user.id, at: now)
        user.passwordHash = passwordHash
        user.lastActiveAt = now
        // The token proved who asks: the user is the actor (an invitation's too).
        try work.audit(tenant, .passwordReset, user.id, by: user)
        return user
    }

    static let badToken = DomainError.invalid(field: "token", "is unknown, used or expired")

    /// Sets a new password for the signed-in user (the current one already verified):
    /// every session ends, outstanding reset tokens are consumed; the user with the new
    /// epoch, so the caller gets a token that stays valid.
    public func changePassword(_ work: UnitOfWork, tenant: TenantID, user: User, passwordHash: String) throws -> User {
        try requirePerson(user)
        var user = user
        try work.users.setPassword(tenant, id: user.id, passwordHash: passwordHash)
        try work.passwordTokens.consumeAll(tenant, userID: user.id, now: work.transaction.now())
        user.sessionEpoch = try work.users.endSessions(tenant, id: user.id)
        user.passwordHash = passwordHash
        try work.audit(tenant, .passwordChanged, user.id, by: user)
        return user
    }

    /// The routes about oneself (password, logout, own profile) are a person's: an API
    /// key acts as its creator for the tenant's data, never as that person's account.
    public func requirePerson(_ caller: User) throws {
        guard caller.apiKeyID == nil else {
            throw DomainError.forbidden("An API key cannot change an account's password, sessions or profile; sign in as the person.")
        }
    }

    /// Ends every session of the user (all devices: a token is not tied to one).
    public func logout(_ work: UnitOfWork, tenant: TenantID, user: User) throws {
        try requirePerson(user)
        _ = try work.users.endSessions(tenant, id: user.id)
        try work.audit(tenant, .logout, user.id, by: user)
    }

    /// A successful login: recorded as activity for the retention sweep, and in the
    /// audit log with the email as the client gave it.
    public func recordLogin(_ work: UnitOfWork, tenant: TenantID, user: User, email given: String) throws {
        try work.users.touch(tenant, id: user.id, at: work.transaction.now())
        try work.audit(tenant, .login, user.id, by: user, Self.loginChanges(given))
    }

    /// A refused login (unknown email, wrong password, inactive account): the email as
    /// given, and the account it names when there is one (for admins; the client's
    /// answer is the same either way).
    public func recordFailedLogin(_ work: UnitOfWork, tenant: TenantID, email given: String, account: User?) throws {
        try work.audit(tenant, .loginFailed, account?.id.rawValue, by: nil, Self.loginChanges(given))
    }

    /// `{"email": {"old": null, "new": <as given>}}`, bounded (a form's username has no
    /// other limit) and without NUL (no column stores it).
    static func loginChanges(_ given: String) -> AuditChanges {
        var changes = AuditChanges()
        let email = String(String.UnicodeScalarView(given.unicodeScalars.prefix(320).filter { $0 != "\u{0}" }))
        changes.set("email", old: .null, new: .string(email))
        return changes
    }

    /// The caller's own profile (`PATCH /api/auth/me`). Candidates change their name,
    /// phone, location and links, and so may staff (shown only in a candidate's profile).
    /// Never role or email.
    public func updateProfile(_ work: UnitOfWork, tenant: TenantID, caller: User, _ changes: UserChanges) throws -> User {
        try requirePerson(caller)
        guard changes.role == nil, changes.isActive == nil, changes.tags == nil, changes.source == nil else {
            throw DomainError.forbidden("Only staff change roles, status, tags and sources.")
        }
        var user = try work.users.update(tenant, id: caller.id, changes)
        try work.audit(tenant, caller.role == .candidate ? .candidateUpdated : .userUpdated, caller.id, by: caller,
                       .diff(caller.auditFields, user.auditFields))
        let now = work.transaction.now()
        try work.users.touch(tenant, id: caller.id, at: now)
        user.lastActiveAt = now
        return user
    }
}

/// Staff-added candidates with `invite: true` (CandidateService) are mailed through this.
extension AccountService: InvitationIssuer {
    public func invite(_ work: UnitOfWork, tenant: Tenant, user: User, by inviter: User) throws {
        try invite(work, tenant: tenant, user: user, by: Optional(inviter))
    }
}
