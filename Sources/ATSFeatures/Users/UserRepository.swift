import ATSDomain
import ATSPersistence
import ATSSupport

public struct NewUser: Sendable {
    public var email: String
    public var passwordHash: String
    public var fullName: String?
    public var role: Role
    public var profile: User.Profile

    /// `passwordHash` empty: a person added by staff, who sets a password by invitation.
    public init(email: String, passwordHash: String, fullName: String?, role: Role, profile: User.Profile = User.Profile()) {
        self.email = email
        self.passwordHash = passwordHash
        self.fullName = fullName
        self.role = role
        self.profile = profile
    }
}

public struct UserChanges: Sendable {
    public var role: Role?
    public var isActive: Bool?
    /// `.some(nil)` clears the name.
    public var fullName: String??

    /// Profile fields (candidates); `.some(nil)` clears a field.
    public var phone: String??
    public var location: String??
    public var links: [String]?
    public var tags: [String]?
    public var source: String??

    public init(role: Role? = nil, isActive: Bool? = nil, fullName: String?? = nil, phone: String?? = nil, location: String?? = nil,
                links: [String]? = nil, tags: [String]? = nil, source: String?? = nil) {
        self.role = role
        self.isActive = isActive
        self.fullName = fullName
        self.phone = phone
        self.location = location
        self.links = links
        self.tags = tags
        self.source = source
    }
}

public struct UserFilter: Sendable, Equatable {
    public var role: Role?
    /// Case-insensitive substring of email or full name.
    public var q: String?

    public init(role: Role? = nil, q: String? = nil) {
        self.role = role
        self.q = q
    }
}

public protocol UserRepository {
    func create(_ tenant: TenantID, _ user: NewUser) throws -> User
    func find(_ tenant: TenantID, id: UserID) throws -> User?
    /// `email` must already be normalized (trimmed, lower-cased).
    func find(_ tenant: TenantID, email: String) throws -> User?
    func list(_ tenant: TenantID, filter: UserFilter, page: Page) throws -> PageResult<User>
    func update(_ tenant: TenantID, id: UserID, _ changes: UserChanges) throws -> User
    /// Active admins of the tenant (to refuse removing the last one).
    func countActiveAdmins(_ tenant: TenantID) throws -> Int
    /// Removes the person's identifying data (API.md, Privacy): email becomes
    /// `anonymized-<id>@invalid`; name, phone, location, links and tags are cleared; the
    /// password is removed, the account deactivated and every token refused.
    func anonymize(_ tenant: TenantID, id: UserID) throws -> User
    /// Stores a new Argon2id hash (the invitation's first password too).
    func setPassword(_ tenant: TenantID, id: UserID, passwordHash: String) throws
    /// Ends every session of the user: the session epoch goes up by one, so each token
    /// signed with an older epoch is refused from the next request on. The new epoch.
    func endSessions(_ tenant: TenantID, id: UserID) throws -> Int64
    /// Records activity (login, profile change) for the retention sweep.
    func touch(_ tenant: TenantID, id: UserID, at time: Timestamp) throws
}
