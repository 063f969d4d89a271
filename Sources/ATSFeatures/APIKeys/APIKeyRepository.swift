import ATSDomain
import ATSPersistence
import ATSSupport

public struct NewAPIKey: Sendable {
    public var name: String
    public var role: Role
    public var prefix: String
    /// Hex SHA-256 of the whole key (`APIKeySecret`); the key itself is never stored.
    public var keyHash: String
    public var createdBy: UserID

    public init(name: String, role: Role, prefix: String, keyHash: String, createdBy: UserID) {
        self.name = name
        self.role = role
        self.prefix = prefix
        self.keyHash = keyHash
        self.createdBy = createdBy
    }
}

/// A live key found by its prefix, with what authenticating needs: the stored hash to
/// compare, and the creator it acts as.
public struct APIKeyCandidate: Sendable {
    public var key: APIKey
    public var keyHash: String
    public var creator: User

    public init(key: APIKey, keyHash: String, creator: User) {
        self.key = key
        self.keyHash = keyHash
        self.creator = creator
    }
}

public protocol APIKeyRepository {
    /// nil when the tenant already has a key with this prefix (pick another one).
    func create(_ tenant: TenantID, _ key: NewAPIKey) throws -> APIKey?
    /// A live (not revoked) key.
    func find(_ tenant: TenantID, id: Int64) throws -> APIKey?
    /// Live keys, newest first.
    func list(_ tenant: TenantID, page: Page) throws -> PageResult<APIKey>
    /// Revokes a live key; `.notFound` when there is none with this id.
    func revoke(_ tenant: TenantID, id: Int64, at: Timestamp) throws
    /// The live key with this prefix and its creator, in one statement (the hot path of
    /// every request authenticated by a key).
    func findForAuthentication(_ tenant: TenantID, prefix: String) throws -> APIKeyCandidate?
    /// Sets `last_used_at` (a revoked key is left alone).
    func recordUse(_ tenant: TenantID, id: Int64, at: Timestamp) throws
}
