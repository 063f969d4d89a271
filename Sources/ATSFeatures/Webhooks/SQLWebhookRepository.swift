import ATSDomain
import ATSPersistence
import ATSSupport

/// Webhooks in portable SQL (both engines); their deliveries are outbox rows of channel
/// `webhook` whose recipient is the webhook's id.
public struct SQLWebhookRepository: WebhookRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    static let channel = "webhook"
    private static let columns = "tenant_id, id, url, events, description, active, consecutive_failures, last_success_at, last_failure_at, created_at, updated_at"

    private static func webhook(_ row: SQLRow) throws(SQLError) -> Webhook {
        Webhook(id: try row.int(1), tenantID: TenantID(try row.int(0)), url: try row.text(2), events: try events(row.text(3)),
                description: try row.optionalText(4), active: try row.bool(5), consecutiveFailures: Int(try row.int(6)),
                lastSuccessAt: try row.optionalTimestamp(7), lastFailureAt: try row.optionalTimestamp(8), createdAt: try row.timestamp(9),
                updatedAt: try row.timestamp(10))
    }

    private static func events(_ text: String) throws(SQLError) -> [String] {
        guard case .array(let items)? = try? JSONParser.parse(Array(text.utf8)) else { throw .decoding("webhook events are not a JSON array") }
        return items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
    }

    private static func eventsText(_ events: [String]) -> String { JSONValue.array(events.map(JSONValue.string)).text }

    public func create(_ tenant: TenantID, _ webhook: NewWebhook) throws -> Webhook {
        try tx.run { () throws(SQLError) -> Webhook in
            let now = tx.now()
            let id = try tx.insert(into: "webhooks", [
                ("tenant_id", .int(tenant.rawValue)), ("url", .text(webhook.url)), ("events", .text(Self.eventsText(webhook.events))),
                ("description", .optional(webhook.description)), ("active", .bool(webhook.active)), ("secret", .text(webhook.secret)),
                ("consecutive_failures", .int(0)), ("created_at", .timestamp(now)), ("updated_at", .timestamp(now)),
            ])
            return Webhook(id: id, tenantID: tenant, url: webhook.url, events: webhook.events, description: webhook.description, active: webhook.active,
                           consecutiveFailures: 0, lastSuccessAt: nil, lastFailureAt: nil, createdAt: now, updatedAt: now)
        }
    }

    public func list(_ tenant: TenantID, page: Page) throws -> PageResult<Webhook> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        return try tx.page("webhooks", columns: Self.columns, where: condition, orderBy: "id", page: page, decode: Self.webhook)
    }

    public func find(_ tenant: TenantID, id: Int64) throws -> Webhook? {
        try tx.rows("SELECT \(Self.columns) FROM webhooks WHERE tenant_id = $1 AND id = $2", [.int(tenant.rawValue), .int(id)], decode: Self.webhook).first
    }

    public func update(_ tenant: TenantID, id: Int64, _ changes: WebhookChanges) throws -> Webhook {
        var update = SQLStatement("UPDATE webhooks SET updated_at = $1")
        _ = update.bind(.timestamp(tx.now()))
        if let url = changes.url { update.append(", url = \(update.bind(.text(url)))") }
        if let events = changes.events { update.append(", events = \(update.bind(.text(Self.eventsText(events))))") }
        if let description = changes.description { update.append(", description = \(update.bind(.optional(description)))") }
        if let active = changes.active {
            // Turning a webhook back on starts its failure count afresh.
            update.append(", active = \(update.bind(.bool(active)))")
            if active { update.append(", consecutive_failures = 0") }
        }
        update.append(" WHERE tenant_id = \(update.bind(.int(tenant.rawValue))) AND id = \(update.bind(.int(id))) RETURNING \(Self.columns)")
        guard let updated = try tx.rows(update.sql, update.parameters, decode: Self.webhook).first else { throw StorageError.notFound }
        return updated
    }

    public func delete(_ tenant: TenantID, id: Int64) throws {
        let deleted = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                UPDATE outbox SET status = 'cancelled', lease_until = NULL
                WHERE tenant_id = $1 AND channel = $2 AND recipient = $3 AND status IN ('pending', 'failed')
                """, [.int(tenant.rawValue), .text(Self.channel), .text(String(id))])
            return try tx.connection.execute("DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2", [.int(tenant.rawValue), .int(id)])
        }
        if deleted == 0 { throw StorageError.notFound }
    }

    public func rotate(_ tenant: TenantID, id: Int64, secret: String, previousUntil: Timestamp) throws {
        let changed = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                UPDATE webhooks SET previous_secret = secret, previous_secret_until = $3, secret = $4, updated_at = $5
                WHERE tenant_id = $1 AND id = $2
                """, [.int(tenant.rawValue), .int(id), .timestamp(previousUntil), .text(secret), .timestamp(tx.now())])
        }
        if changed == 0 { throw StorageError.notFound }
    }

    public func secrets(_ tenant: TenantID, id: Int64) throws -> WebhookSecrets? {
        try tx.rows("SELECT secret, previous_secret, previous_secret_until FROM webhooks WHERE tenant_id = $1 AND id = $2",
                    [.int(tenant.rawValue), .int(id)]) { (row: SQLRow) throws(SQLError) -> WebhookSecrets in
            WebhookSecrets(current: try row.text(0), previous: try row.optionalText(1), previousUntil: try row.optionalTimestamp(2))
        }.first
    }

    public func recordAttempt(_ tenant: TenantID, id: Int64, _ result: WebhookAttemptResult, at: Timestamp) throws -> Bool {
        let sql: String
        switch result {
        case .succeeded:
            sql = "UPDATE webhooks SET consecutive_failures = 0, last_success_at = $3 WHERE tenant_id = $1 AND id = $2 RETURNING active"
        case .gone:
            sql = """
                UPDATE webhooks SET consecutive_failures = consecutive_failures + 1, last_failure_at = $3, active = $4
                WHERE tenant_id = $1 AND id = $2 AND active = $5 RETURNING active
                """
        case .failed:
            sql = """
                UPDATE webhooks SET consecutive_failures = consecutive_failures + 1, last_failure_at = $3,
                    active = CASE WHEN consecutive_failures + 1 >= \(Webhook.failureLimit) THEN $4 ELSE active END
                WHERE tenant_id = $1 AND id = $2 AND active = $5 RETURNING active
                """
        }
        var parameters: [SQLValue] = [.int(tenant.rawValue), .int(id), .timestamp(at)]
        if result != .succeeded { parameters += [.bool(false), .bool(true)] }
        // Only an update of an active webhook that leaves it inactive disabled it now.
        let rows = try tx.rows(sql, parameters) { (row: SQLRow) throws(SQLError) -> Bool in try row.bool(0) }
        return result != .succeeded && rows.first == false
    }

    private static let deliveryCondition = " WHERE tenant_id = $1 AND channel = $2 AND recipient = $3"

    public func deliveries(_ tenant: TenantID, webhook: Int64, page: Page) throws -> PageResult<OutboxMessage> {
        var condition = SQLStatement(Self.deliveryCondition)
        [.int(tenant.rawValue), .text(Self.channel), .text(String(webhook))].forEach { _ = condition.bind($0) }
        return try tx.page("outbox", columns: SQLOutboxRepository.outboxColumns, where: condition, orderBy: "created_at DESC, id DESC", page: page,
                           decode: SQLOutboxRepository.message)
    }

    public func delivery(_ tenant: TenantID, webhook: Int64, id: Int64) throws -> OutboxMessage? {
        try tx.rows("SELECT \(SQLOutboxRepository.outboxColumns) FROM outbox" + Self.deliveryCondition + " AND id = $4",
                    [.int(tenant.rawValue), .text(Self.channel), .text(String(webhook)), .int(id)], decode: SQLOutboxRepository.message).first
    }

    public func recordResponse(_ tenant: TenantID, delivery: Int64, status: Int?, durationMilliseconds: Int) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("UPDATE outbox SET response_status = $3, duration_ms = $4 WHERE tenant_id = $1 AND id = $2",
                                      [.int(tenant.rawValue), .int(delivery), status.map { .int(Int64($0)) } ?? .null, .int(Int64(durationMilliseconds))])
        }
    }

    public func deleteDeliveries(_ tenant: TenantID, before: Timestamp) throws -> Int {
        try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                DELETE FROM outbox WHERE tenant_id = $1 AND channel = $2 AND created_at < $3 AND status NOT IN ('pending', 'failed')
                """, [.int(tenant.rawValue), .text(Self.channel), .timestamp(before)])
        }
    }
}
