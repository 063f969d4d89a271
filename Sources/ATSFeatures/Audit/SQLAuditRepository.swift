import ATSDomain
import ATSPersistence
import ATSSupport

/// The audit log in portable SQL (both engines); removal goes through the engine's
/// append-only guard (`SQLCapabilities.auditExpiryStatement`).
public struct SQLAuditRepository: AuditRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    /// An admin reading the log needs a page, not an exact count of years of logins.
    public static let countLimit = 10_000

    private static let columns = "id, actor_id, api_key_id, action, resource_type, resource_id, request_id, ip, created_at, changes"

    private static func event(_ row: SQLRow) throws(SQLError) -> AuditEvent {
        let changes = try row.text(9)
        return AuditEvent(id: try row.int(0), actorID: try row.optionalInt(1).map { UserID($0) }, apiKeyID: try row.optionalInt(2),
                          action: try row.text(3), resourceType: try row.text(4), resourceID: try row.optionalInt(5), requestID: try row.optionalText(6),
                          ip: try row.optionalText(7), createdAt: try row.timestamp(8),
                          changes: (try? JSONParser.parse(Array(changes.utf8))) ?? .object([]))
    }

    public func record(_ tenant: TenantID, _ event: NewAuditEvent) throws {
        _ = try tx.run { () throws(SQLError) -> Int64 in
            try tx.insert(into: "audit_events", [
                ("tenant_id", .int(tenant.rawValue)), ("actor_id", event.actorID.map { .int($0.rawValue) } ?? .null),
                ("api_key_id", event.apiKeyID.map { .int($0) } ?? .null), ("action", .text(event.action.rawValue)),
                ("resource_type", .text(event.action.resourceType.rawValue)), ("resource_id", event.resourceID.map { .int($0) } ?? .null),
                ("request_id", event.requestID.map { .text($0) } ?? .null), ("ip", event.ip.map { .text($0) } ?? .null),
                ("created_at", .timestamp(tx.now())), ("changes", .text(event.changes.json.text)),
            ])
        }
    }

    public func list(_ tenant: TenantID, filter: AuditFilter, page: Page) throws -> PageResult<AuditEvent> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if let actor = filter.actorID { condition.append(" AND actor_id = \(condition.bind(.int(actor.rawValue)))") }
        if let action = filter.action { condition.append(" AND action = \(condition.bind(.text(action)))") }
        if let type = filter.resourceType { condition.append(" AND resource_type = \(condition.bind(.text(type)))") }
        if let id = filter.resourceID { condition.append(" AND resource_id = \(condition.bind(.int(id)))") }
        if let from = filter.from { condition.append(" AND created_at >= \(condition.bind(.timestamp(from)))") }
        if let to = filter.to { condition.append(" AND created_at < \(condition.bind(.timestamp(to)))") }
        return try tx.page("audit_events", columns: Self.columns, where: condition, orderBy: "created_at DESC, id DESC", page: page,
                           countLimit: Self.countLimit, decode: Self.event)
    }

    public func expire(_ tenant: TenantID, before cutoff: Timestamp) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute(tx.capabilities.auditExpiryStatement, [.int(tenant.rawValue), .timestamp(cutoff)])
        }
    }
}
