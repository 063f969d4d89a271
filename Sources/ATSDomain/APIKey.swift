import ATSSupport

/// A key an integration authenticates with (API.md, API keys): it acts in its tenant
/// with its role, as the admin who created it. Only the public prefix and a hash of the
/// key are stored; the key itself exists once, in the response that created it.
public struct APIKey: Sendable, Equatable {
    public var id: Int64
    public var tenantID: TenantID
    public var name: String
    /// `recruiter` or `admin` (never `candidate`).
    public var role: Role
    /// The public part of the key (8 characters after `ats_`), unique per tenant.
    public var prefix: String
    public var createdBy: UserID
    public var createdAt: Timestamp
    /// Recorded at most once a minute per key and server process (docs/security.md).
    public var lastUsedAt: Timestamp?

    public init(id: Int64, tenantID: TenantID, name: String, role: Role, prefix: String, createdBy: UserID, createdAt: Timestamp, lastUsedAt: Timestamp?) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.role = role
        self.prefix = prefix
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }

    /// The roles a key may have.
    public static let roles: [Role] = [.recruiter, .admin]
}
