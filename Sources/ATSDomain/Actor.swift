/// Who asks for a change: a signed-in user, nobody (public signup, job listings), or the
/// system itself (the operator's CLI, background jobs), which no role check limits.
public enum Actor: Sendable {
    case anonymous
    case user(User)
    case system

    public init(_ user: User?) { self = user.map(Actor.user) ?? .anonymous }

    /// The user behind the change, for events (`actor_id`); nil for anonymous, system and
    /// an API key (`User.eventActorID`).
    public var userID: UserID? {
        if case .user(let user) = self { return user.eventActorID }
        return nil
    }

    public var role: Role? {
        if case .user(let user) = self { return user.role }
        return nil
    }
}
