import ATSDomain
import ATSPersistence

/// The rules for accounts (API.md, Auth and Users): who may create which role, who
/// manages users, and that a tenant always keeps an active admin.
public struct UserService: Sendable {
    public init() {}

    /// Public signup creates candidates; any other role needs an admin (or the operator).
    /// Checked before the password is hashed: refusing is cheap, Argon2id is not.
    public func authorizeCreation(of role: Role, by actor: Actor) throws {
        switch actor {
        case .system: return
        case .user(let user) where user.role == .admin: return
        default:
            guard role == .candidate else { throw DomainError.forbidden("Only an admin may create a \(role.rawValue).") }
        }
    }

    /// Creates the account (`user.email` normalized, `passwordHash` already Argon2id);
    /// a taken email is `StorageError.duplicateEmail`.
    public func create(_ work: UnitOfWork, tenant: TenantID, by actor: Actor, _ user: NewUser) throws -> User {
        try authorizeCreation(of: user.role, by: actor)
        let created = try work.users.create(tenant, user)
        // Public signup (anonymous) and the operator have no acting user.
        let caller: User? = if case .user(let user) = actor { user } else { nil }
        try work.audit(tenant, created.role == .candidate ? .candidateCreated : .userCreated, created.id, by: caller, .created(created.auditFields))
        return created
    }

    public func list(_ work: UnitOfWork, tenant: TenantID, by caller: User, filter: UserFilter, page: Page) throws -> PageResult<User> {
        try Access.require(caller, [.admin])
        return try work.users.list(tenant, filter: filter, page: page)
    }

    public func find(_ work: UnitOfWork, tenant: TenantID, by caller: User, id: UserID) throws -> User {
        try Access.require(caller, [.admin])
        guard let user = try work.users.find(tenant, id: id) else { throw DomainError.notFound("No such user.") }
        return user
    }

    /// Role, activation and name. The tenant's last active admin can be neither demoted
    /// nor deactivated (409), so a tenant can never lock itself out.
    public func update(_ work: UnitOfWork, tenant: TenantID, by caller: User, id: UserID, _ changes: UserChanges) throws -> User {
        let target = try find(work, tenant: tenant, by: caller, id: id)
        let losesAdmin = target.role == .admin && target.isActive && ((changes.role != nil && changes.role != .admin) || changes.isActive == false)
        if losesAdmin, try work.users.countActiveAdmins(tenant) <= 1 {
            throw DomainError.conflict("This is the tenant's last active admin; make another admin first.")
        }
        let updated = try work.users.update(tenant, id: id, changes)
        try work.audit(tenant, updated.role == .candidate && target.role == .candidate ? .candidateUpdated : .userUpdated, id, by: caller,
                       .diff(target.auditFields, updated.auditFields))
        return updated
    }
}
