import ATSDomain

/// Role checks shared by the services. The role is the user's current one from the
/// database (API.md, Roles), never the token's.
public enum Access {
    public static let staff: Set<Role> = [.recruiter, .admin]
    public static let everyone: Set<Role> = Set(Role.allCases)

    public static func require(_ caller: User, _ roles: Set<Role>) throws {
        guard roles.contains(caller.role) else { throw DomainError.forbidden("Your role may not do this.") }
    }
}
