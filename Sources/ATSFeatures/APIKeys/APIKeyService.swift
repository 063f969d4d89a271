import ATSAuth
import ATSDomain
import ATSPersistence
import ATSSupport

/// The rules for API keys (API.md, API keys): admins create, list and revoke them; a
/// key authenticates as its creator with the key's role, in its own tenant only.
public struct APIKeyService: Sendable {
    public init() {}

    public static let nameLength = 1...100

    /// A new key and the only copy of its text (never stored; shown once).
    public func create(_ work: UnitOfWork, tenant: TenantID, caller: User, name: String, role: Role) throws -> (key: APIKey, secret: String) {
        try Access.require(caller, [.admin])
        guard APIKey.roles.contains(role) else { throw DomainError.invalid(field: "role", "must be one of recruiter, admin") }
        // The prefix has 40 random bits; a clash within one tenant is all but impossible,
        // and a new draw settles it.
        for _ in 0..<4 {
            let generated = try APIKeySecret.generate()
            // The key's creator is the human behind the caller (for a key made with a
            // key: that key's creator).
            if let key = try work.apiKeys.create(tenant, NewAPIKey(name: name, role: role, prefix: generated.prefix, keyHash: generated.hash,
                                                                   createdBy: caller.id)) {
                try work.audit(tenant, .apiKeyCreated, key.id, by: caller, .created(key.auditFields))
                return (key, generated.key)
            }
        }
        throw StorageError.internalError("no free API key prefix after 4 draws")
    }

    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User, page: Page) throws -> PageResult<APIKey> {
        try Access.require(caller, [.admin])
        return try work.apiKeys.list(tenant, page: page)
    }

    public func find(_ work: UnitOfWork, tenant: TenantID, caller: User, id: Int64) throws -> APIKey {
        try Access.require(caller, [.admin])
        guard let key = try work.apiKeys.find(tenant, id: id) else { throw DomainError.notFound("No such API key.") }
        return key
    }

    /// Refused from the next request on: authentication reads the row every time.
    public func revoke(_ work: UnitOfWork, tenant: TenantID, caller: User, id: Int64) throws {
        try Access.require(caller, [.admin])
        let now = work.transaction.now()
        do {
            try work.apiKeys.revoke(tenant, id: id, at: now)
        } catch StorageError.notFound {
            throw DomainError.notFound("No such API key.")
        }
        var changes = AuditChanges()
        changes.set("revoked_at", old: .null, new: .string(now.rfc3339))
        try work.audit(tenant, .apiKeyRevoked, id, by: caller, changes)
    }

    /// The user a presented key acts as, or nil when no live key of this tenant matches
    /// (unknown prefix, another tenant's key, revoked, or a wrong secret). The creator
    /// acts with the key's role, active even if the creator was deactivated since (a
    /// key outlives the admin who made it), and carries the key's id (events then
    /// record no actor).
    public func authenticate(_ work: UnitOfWork, tenant: TenantID, _ presented: APIKeySecret.Presented) throws -> User? {
        guard let found = try work.apiKeys.findForAuthentication(tenant, prefix: presented.prefix),
              APIKeySecret.matches(presented.hash, stored: found.keyHash) else { return nil }
        var user = found.creator
        user.role = found.key.role
        user.isActive = true
        user.apiKeyID = found.key.id
        return user
    }
}
