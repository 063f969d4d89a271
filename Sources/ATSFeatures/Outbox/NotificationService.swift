import ATSDomain
import ATSPersistence

/// The notification log (API.md, Notifications): admins only.
public struct NotificationService: Sendable {
    public init() {}

    public func list(_ work: UnitOfWork, tenant: TenantID, by caller: User, status: OutboxStatus?, page: Page) throws -> PageResult<OutboxMessage> {
        try Access.require(caller, [.admin])
        return try work.outbox.list(tenant, filter: NotificationFilter(status: status), page: page)
    }
}
