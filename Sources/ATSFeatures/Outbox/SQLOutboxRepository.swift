import ATSDomain
import ATSPersistence
import ATSSupport

/// The outbox rows in portable SQL (both engines).
public struct SQLOutboxRepository: OutboxRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    private static let outboxColumns = "tenant_id, id, kind, recipient, payload, status, attempts, last_error, available_at, created_at, sent_at, channel"

    private static func message(_ row: SQLRow) throws(SQLError) -> OutboxMessage {
        guard let status = OutboxStatus(rawValue: try row.text(5)) else { throw .decoding("unknown outbox status") }
        return OutboxMessage(id: try row.int(1), tenantID: TenantID(try row.int(0)), kind: try row.text(2), recipient: try row.text(3),
                             payload: try row.text(4), status: status, attempts: Int(try row.int(6)), lastError: try row.optionalText(7),
                             availableAt: try row.timestamp(8), createdAt: try row.timestamp(9), sentAt: try row.optionalTimestamp(10),
                             channel: try row.text(11))
    }

    public func enqueue(_ tenant: TenantID, _ message: NewOutboxMessage) throws -> OutboxMessage {
        try tx.run { () throws(SQLError) -> OutboxMessage in
            let now = tx.now()
            let id = try tx.insert(into: "outbox", [
                ("tenant_id", .int(tenant.rawValue)), ("channel", .text(message.channel)), ("kind", .text(message.kind)), ("recipient", .text(message.recipient)),
                ("payload", .text(message.payload)), ("status", .text("pending")), ("attempts", .int(0)), ("available_at", .timestamp(now)),
                ("created_at", .timestamp(now)),
            ])
            return OutboxMessage(id: id, tenantID: tenant, kind: message.kind, recipient: message.recipient, payload: message.payload,
                                 status: .pending, attempts: 0, lastError: nil, availableAt: now, createdAt: now, sentAt: nil,
                                 channel: message.channel)
        }
    }

    public func list(_ tenant: TenantID, filter: NotificationFilter, page: Page) throws -> PageResult<OutboxMessage> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if let status = filter.status { condition.append(" AND status = \(condition.bind(.text(status.rawValue)))") }
        if let recipient = filter.recipient { condition.append(" AND recipient = \(condition.bind(.text(recipient)))") }
        return try tx.page("outbox", columns: Self.outboxColumns, where: condition, orderBy: "created_at DESC, id DESC", page: page, decode: Self.message)
    }

    public func due(_ tenant: TenantID, now: Timestamp, limit: Int) throws -> [OutboxMessage] {
        try messages("""
            SELECT \(Self.outboxColumns) FROM outbox
            WHERE tenant_id = $1 AND status IN ('pending', 'failed') AND available_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
            ORDER BY available_at, id LIMIT $3
            """, [.int(tenant.rawValue), .timestamp(now), .int(Int64(limit))])
    }

    public func relayable(_ tenant: TenantID, now: Timestamp, requeueBefore: Timestamp, limit: Int) throws -> [OutboxMessage] {
        try messages("""
            SELECT \(Self.outboxColumns) FROM outbox
            WHERE tenant_id = $1 AND status IN ('pending', 'failed') AND available_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
              AND (queued_at IS NULL OR queued_at < $3)
            ORDER BY available_at, id LIMIT $4
            """, [.int(tenant.rawValue), .timestamp(now), .timestamp(requeueBefore), .int(Int64(limit))])
    }

    public func markQueued(_ tenant: TenantID, ids: [Int64], at: Timestamp) throws {
        guard !ids.isEmpty else { return }
        var update = SQLStatement("UPDATE outbox SET queued_at = $1 WHERE tenant_id = $2 AND id IN (")
        _ = update.bind(.timestamp(at))
        _ = update.bind(.int(tenant.rawValue))
        var placeholders: [String] = []
        for id in ids { placeholders.append(update.bind(.int(id))) }
        update.append(placeholders.joined(separator: ", ") + ")")
        _ = try tx.run { () throws(SQLError) -> Int in try tx.connection.execute(update.sql, update.parameters) }
    }

    public func claim(_ tenant: TenantID, id: Int64, now: Timestamp, leaseUntil: Timestamp) throws -> OutboxMessage? {
        try messages("""
            UPDATE outbox SET lease_until = $1
            WHERE tenant_id = $2 AND id = $3 AND status IN ('pending', 'failed') AND available_at <= $4 AND (lease_until IS NULL OR lease_until <= $4)
              AND EXISTS (SELECT 1 FROM tenants WHERE tenants.id = $2 AND tenants.status = 'active')
            RETURNING \(Self.outboxColumns)
            """, [.timestamp(leaseUntil), .int(tenant.rawValue), .int(id), .timestamp(now)]).first
    }

    private func messages(_ sql: String, _ parameters: [SQLValue]) throws -> [OutboxMessage] {
        try tx.run { () throws(SQLError) -> [OutboxMessage] in
            var result: [OutboxMessage] = []
            for row in try tx.connection.query(sql, parameters) { result.append(try Self.message(row)) }
            return result
        }
    }

    public func markSent(_ tenant: TenantID, id: Int64, at: Timestamp) throws {
        let changed = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL, lease_until = NULL, queued_at = NULL WHERE tenant_id = $2 AND id = $3",
                                   [.timestamp(at), .int(tenant.rawValue), .int(id)])
        }
        if changed == 0 { throw StorageError.notFound }
    }

    public func countByStatus(_ tenant: TenantID) throws -> [OutboxStatus: Int] {
        try tx.run { () throws(SQLError) -> [OutboxStatus: Int] in
            var counts: [OutboxStatus: Int] = [:]
            for row in try tx.connection.query("SELECT status, count(*) FROM outbox WHERE tenant_id = $1 GROUP BY status", [.int(tenant.rawValue)]) {
                guard let status = OutboxStatus(rawValue: try row.text(0)) else { throw .decoding("unknown outbox status") }
                counts[status] = Int(try row.int(1))
            }
            return counts
        }
    }

    public func markFailed(_ tenant: TenantID, id: Int64, error: String, retryAt: Timestamp?) throws {
        let changed = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, available_at = COALESCE($3, available_at),
                    lease_until = NULL, queued_at = NULL
                WHERE tenant_id = $4 AND id = $5
                """, [.text(retryAt == nil ? "dead" : "failed"), .text(String(error.prefix(1000))), retryAt.map(SQLValue.timestamp) ?? .null,
                      .int(tenant.rawValue), .int(id)])
        }
        if changed == 0 { throw StorageError.notFound }
    }

    public func forget(_ tenant: TenantID, recipient: String, replacement: String) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                UPDATE outbox SET status = CASE WHEN status IN ('pending', 'failed') THEN 'cancelled' ELSE status END,
                    recipient = $3, payload = '{}', lease_until = NULL
                WHERE tenant_id = $1 AND recipient = $2
                """, [.int(tenant.rawValue), .text(recipient), .text(replacement)])
        }
    }
}
