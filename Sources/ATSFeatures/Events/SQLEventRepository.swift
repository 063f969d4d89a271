import ATSDomain
import ATSPersistence
import ATSSupport

/// Events and their outbox rows in SQL. Where the engine can write in a CTE
/// (PostgreSQL), the event and all its deliveries are one statement, so raising an event
/// costs one round trip however many channels it fans out to.
public struct SQLEventRepository: EventRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    @discardableResult
    public func record(_ tenant: TenantID, _ event: DomainEvent, actor: UserID?, deliveries: [NewOutboxMessage], fanOut: WebhookFanOut?) throws -> Int64 {
        let now = tx.now()
        var deliveries = deliveries
        let head: [SQLValue] = [.int(tenant.rawValue), .text(event.type.rawValue), actor.map { .int($0.rawValue) } ?? .null,
                                .text(event.payload.text), .timestamp(now), event.applicationID.map { .int($0.rawValue) } ?? .null]
        return try tx.run { () throws(SQLError) -> Int64 in
            var fanOut = fanOut
            // In-process engine: reading the subscribers first costs no round trip. On
            // Citus it costs one: the fan-out's INSERT … SELECT from `webhooks` below would
            // run there as a COPY into the shards, which forced row-level security refuses.
            if let wanted = fanOut, !tx.capabilities.writesInCTE || tx.capabilities.distributed {
                let subscribers = try tx.connection.query("""
                    SELECT id FROM webhooks WHERE tenant_id = $1 AND active = $2 AND (events LIKE '%"*"%' OR events LIKE $3 ESCAPE '\\') ORDER BY id
                    """, [.int(tenant.rawValue), .bool(true), .text(SQLStatement.containsPattern("\"" + wanted.type + "\""))])
                for row in subscribers { deliveries.append(WebhookChannel().delivery(type: wanted.type, webhook: try row.int(0), data: wanted.data)) }
                fanOut = nil
            }
            guard tx.capabilities.writesInCTE else {
                let id = try tx.insert(into: "events", [("tenant_id", head[0]), ("type", head[1]), ("actor_id", head[2]), ("payload", head[3]),
                                                         ("created_at", head[4]), ("application_id", head[5])])
                guard !deliveries.isEmpty else { return id }
                guard let first = try tx.reserveIDs("outbox", count: deliveries.count) else {
                    for d in deliveries {
                        _ = try tx.insert(into: "outbox", [
                            ("tenant_id", .int(tenant.rawValue)), ("event_id", .int(id)), ("channel", .text(d.channel)), ("kind", .text(d.kind)),
                            ("recipient", .text(d.recipient)), ("payload", .text(d.payload)), ("status", .text("pending")), ("attempts", .int(0)),
                            ("available_at", .timestamp(now)), ("created_at", .timestamp(now)),
                        ])
                    }
                    return id
                }
                // All the deliveries in one multi-row INSERT, ids reserved together.
                var insert = SQLStatement("INSERT INTO outbox (id, tenant_id, event_id, channel, kind, recipient, payload, status, attempts, available_at, created_at) VALUES ")
                var rows: [String] = []
                for (i, d) in deliveries.enumerated() {
                    let values: [SQLValue] = [.int(first + Int64(i)), .int(tenant.rawValue), .int(id), .text(d.channel), .text(d.kind), .text(d.recipient),
                                              .text(d.payload), .text("pending"), .int(0), .timestamp(now), .timestamp(now)]
                    rows.append("(" + values.map { insert.bind($0) }.joined(separator: ", ") + ")")
                }
                insert.append(rows.joined(separator: ", "))
                try tx.connection.execute(insert.sql, insert.parameters)
                return id
            }
            var statement = SQLStatement("WITH e AS (INSERT INTO events (tenant_id, type, actor_id, payload, created_at, application_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id) ")
            head.forEach { _ = statement.bind($0) }
            if let fanOut {
                // One row per subscribed webhook, written by the same statement (a CTE
                // that modifies data runs whether or not the main query reads it).
                statement.append("""
                    , w AS (INSERT INTO outbox (tenant_id, event_id, channel, kind, recipient, payload, status, attempts, available_at, created_at)
                    SELECT $1, e.id, \(statement.bind(.text(WebhookChannel().name))), \(statement.bind(.text(fanOut.type))), CAST(h.id AS text),
                        \(statement.bind(.text(fanOut.data))), 'pending', 0, $5, $5
                    FROM e, webhooks h
                    WHERE h.tenant_id = $1 AND h.active AND (h.events LIKE '%"*"%' OR h.events LIKE \(statement.bind(.text(SQLStatement.containsPattern("\"" + fanOut.type + "\"")))) ESCAPE '\\'))
                    """ + " ")
            }
            guard !deliveries.isEmpty else {
                statement.append("SELECT id FROM e")
                return try firstID(statement)
            }
            let rows = deliveries.map { d in
                "(CAST(\(statement.bind(.text(d.channel))) AS text), CAST(\(statement.bind(.text(d.kind))) AS text), "
                    + "CAST(\(statement.bind(.text(d.recipient))) AS text), CAST(\(statement.bind(.text(d.payload))) AS text))"
            }
            statement.append("""
                INSERT INTO outbox (tenant_id, event_id, channel, kind, recipient, payload, status, attempts, available_at, created_at)
                SELECT $1, e.id, d.channel, d.kind, d.recipient, d.payload, 'pending', 0, $5, $5
                FROM e, (VALUES \(rows.joined(separator: ", "))) AS d (channel, kind, recipient, payload)
                RETURNING event_id
                """)
            return try firstID(statement)
        }
    }

    private func firstID(_ statement: SQLStatement) throws(SQLError) -> Int64 {
        guard let row = try tx.connection.queryOne(statement.sql, statement.parameters) else { throw .decoding("the event insert returned no id") }
        return try row.int(0)
    }

    public func forget(_ tenant: TenantID, candidate: UserID, replacementEmail: String) throws {
        try tx.run { () throws(SQLError) in
            let rows = try tx.connection.query("""
                SELECT id, payload FROM events
                WHERE tenant_id = $1 AND application_id IN (SELECT id FROM applications WHERE tenant_id = $1 AND candidate_id = $2)
                """, [.int(tenant.rawValue), .int(candidate.rawValue)])
            for row in rows {
                guard case .object(let fields)? = try? JSONParser.parse(Array(try row.text(1).utf8)) else { continue }
                let scrubbed: [(key: String, value: JSONValue)] = fields.map { field in
                    switch field.key {
                    case "candidate_name": return (field.key, .string(replacementEmail))
                    case "candidate_email": return (field.key, field.value == .null ? .null : .string(replacementEmail))
                    case "note": return (field.key, .null)
                    // Interview events name the candidate as an attendee.
                    case "candidate" where field.value != .null:
                        return (field.key, .object([("name", .string(replacementEmail)), ("email", .string(replacementEmail))]))
                    // Resources as they were (webhook events): what anonymizing clears in
                    // the tables is cleared here too.
                    case "application": return (field.key, Self.without(["cover_letter", "resume_url"], in: field.value, nested: ("rejection", "note")))
                    case "scorecard": return (field.key, Self.without(["notes"], in: field.value))
                    default: return field
                    }
                }
                try tx.connection.execute("UPDATE events SET payload = $3 WHERE tenant_id = $1 AND id = $2",
                                          [.int(tenant.rawValue), .int(try row.int(0)), .text(JSONValue.object(scrubbed).text)])
            }
            // The candidate's own events (candidate.created, .updated, .merged into them)
            // hold their profile: they keep only whom they were about, and their webhook
            // deliveries not yet made are cancelled. `data` is stored as JSON text that
            // starts with the candidate's id, so a prefix finds them.
            let prefix = SQLValue.text("{\"candidate\":{\"id\":\(candidate.rawValue),%")
            let kinds = [DomainEventType.candidateCreated, .candidateUpdated, .candidateMerged].map { "'\($0.rawValue)'" }.joined(separator: ", ")
            try tx.connection.execute("""
                UPDATE events SET payload = $3 WHERE tenant_id = $1 AND type IN (\(kinds)) AND payload LIKE $2
                """, [.int(tenant.rawValue), prefix, .text(JSONValue.object([("candidate_id", .int(candidate.rawValue))]).text)])
            try tx.connection.execute("""
                UPDATE outbox SET status = CASE WHEN status IN ('pending', 'failed') THEN 'cancelled' ELSE status END, payload = '{}', lease_until = NULL
                WHERE tenant_id = $1 AND channel = $3 AND kind IN (\(kinds)) AND payload LIKE $2
                """, [.int(tenant.rawValue), prefix, .text(WebhookChannel().name)])
            // Deliveries of those events to others (the recruiter's alert) name them too:
            // what is not sent yet is cancelled, and no payload keeps their name.
            try tx.connection.execute("""
                UPDATE outbox SET status = CASE WHEN status IN ('pending', 'failed') THEN 'cancelled' ELSE status END, payload = '{}', lease_until = NULL
                WHERE tenant_id = $1 AND event_id IN (SELECT id FROM events WHERE tenant_id = $1
                    AND application_id IN (SELECT id FROM applications WHERE tenant_id = $1 AND candidate_id = $2))
                """, [.int(tenant.rawValue), .int(candidate.rawValue)])
        }
    }

    /// `value` (an object) with `keys` set to null, and `nested.key` inside `nested.object`.
    private static func without(_ keys: [String], in value: JSONValue, nested: (object: String, key: String)? = nil) -> JSONValue {
        guard case .object(let fields) = value else { return value }
        return .object(fields.map { field in
            if keys.contains(field.key) && field.value != .null { return (field.key, .null) }
            if let nested, field.key == nested.object { return (field.key, without([nested.key], in: field.value)) }
            return field
        })
    }
}
