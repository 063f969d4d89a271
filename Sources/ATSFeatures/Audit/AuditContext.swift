import ATSDomain
import ATSSupport

/// What the request adds to each audit entry its services write: the request id and the
/// client's address. The API's middleware binds it around the handler as a task-local
/// value, so the services record it without every route and service signature carrying
/// it; the actor and API key come from the service's own caller (`User`). Outside a
/// request (CLI, background jobs) both are nil.
public struct AuditContext: Sendable, Equatable {
    public var requestID: String?
    public var ip: String?

    public init(requestID: String? = nil, ip: String? = nil) {
        self.requestID = requestID
        self.ip = ip
    }

    @TaskLocal public static var current = AuditContext()
}

extension UnitOfWork {
    /// Records one audit entry in this unit of work: it commits with the change it
    /// describes, or not at all. `actor` is the caller (nil: anonymous or the system);
    /// with an API key, the entry names the key and no user, as events do.
    public func audit(_ tenant: TenantID, _ action: AuditAction, _ resourceID: Int64?, by actor: User?,
                      _ changes: AuditChanges = AuditChanges()) throws {
        let context = AuditContext.current
        try auditLog.record(tenant, NewAuditEvent(actorID: actor?.eventActorID, apiKeyID: actor?.apiKeyID, action: action, resourceID: resourceID,
                                                  requestID: context.requestID, ip: context.ip, changes: changes))
    }

    /// The same, about the resource with this typed id.
    public func audit<Entity>(_ tenant: TenantID, _ action: AuditAction, _ resource: ID<Entity>, by actor: User?,
                              _ changes: AuditChanges = AuditChanges()) throws {
        try audit(tenant, action, resource.rawValue, by: actor, changes)
    }
}
