import ATSDomain
import ATSSupport

/// One column of a tenant table, as exports write it.
public struct TenantColumn: Sendable {
    /// `blob`: exported as base64 text (a document's bytes).
    public enum Kind: Sendable { case int, text, bool, timestamp, blob }
    public let name: String
    public let kind: Kind

    public init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// A table that holds `tenant_id`: its columns, and the ones never exported (secrets).
public struct TenantTable: Sendable {
    public let name: String
    public let columns: [TenantColumn]
    public let secretColumns: [String]
    /// The export's order within the table.
    public let orderBy: String
    /// Append-only for the application (the audit log): removed with the tenant through
    /// `SQLCapabilities.auditPurgeStatement`, after the tenant row.
    public let appendOnly: Bool

    public init(_ name: String, columns: [TenantColumn], secretColumns: [String] = [], orderBy: String = "id", appendOnly: Bool = false) {
        self.name = name
        self.columns = columns
        self.secretColumns = secretColumns
        self.orderBy = orderBy
        self.appendOnly = appendOnly
    }
}

/// Every table that holds a tenant's rows, listed once, children before parents: what
/// `ats tenant delete` removes (in this order, then the tenant), and what `ats tenant
/// export` writes. A test compares this list with the migrated schema of both engines,
/// so a migration that adds a tenant table (or a column) cannot be forgotten here.
public enum TenantData {
    /// Search indexes that triggers derive from other tables (`candidate_search` and
    /// `candidate_tags`, from users: migration 0008). They hold nothing of their own, so they are not exported,
    /// and the triggers empty them with their source rows. On PostgreSQL the search text
    /// lives in the schema `ats_private`, out of the application role's reach.
    public static let derivedTables: Set<String> = ["candidate_search", "candidate_tags"]

    public static let tables: [TenantTable] = [
        // A cache of responses (24 h): exported as which keys exist, without the
        // responses themselves, which the export holds as the resources they describe.
        TenantTable("idempotency_keys", columns: [
            .init("caller", .text), .init("key", .text), .init("status", .int), .init("content_type", .text), .init("location", .text),
            .init("etag", .text), .init("started_at", .timestamp), .init("expires_at", .timestamp),
        ], secretColumns: ["request_hash", "body"], orderBy: "started_at, caller, key"),
        TenantTable("audit_events", columns: [
            .init("id", .int), .init("actor_id", .int), .init("api_key_id", .int), .init("action", .text), .init("resource_type", .text),
            .init("resource_id", .int), .init("request_id", .text), .init("ip", .text), .init("created_at", .timestamp), .init("changes", .text),
        ], appendOnly: true),
        TenantTable("scorecards", columns: [
            .init("id", .int), .init("interview_id", .int), .init("application_id", .int), .init("author_id", .int), .init("recommendation", .text),
            .init("ratings", .text), .init("notes", .text), .init("created_at", .timestamp), .init("updated_at", .timestamp),
        ]),
        TenantTable("interview_interviewers", columns: [
            .init("interview_id", .int), .init("user_id", .int), .init("position", .int),
        ], orderBy: "interview_id, position"),
        TenantTable("interviews", columns: [
            .init("id", .int), .init("application_id", .int), .init("title", .text), .init("starts_at", .timestamp), .init("ends_at", .timestamp),
            .init("location", .text), .init("video_url", .text), .init("status", .text), .init("sequence", .int), .init("created_by", .int),
            .init("created_at", .timestamp), .init("updated_at", .timestamp),
        ]),
        TenantTable("notes", columns: [
            .init("id", .int), .init("application_id", .int), .init("author_id", .int), .init("body", .text), .init("created_at", .timestamp),
        ]),
        TenantTable("password_tokens", columns: [
            .init("id", .int), .init("user_id", .int), .init("purpose", .text), .init("expires_at", .timestamp), .init("used_at", .timestamp),
            .init("created_at", .timestamp),
        ], secretColumns: ["token_hash"]),
        TenantTable("application_events", columns: [
            .init("id", .int), .init("application_id", .int), .init("from_stage", .text), .init("to_stage", .text),
            .init("actor_id", .int), .init("note", .text), .init("created_at", .timestamp),
            // The report columns (migration 0016).
            .init("applied_at", .timestamp), .init("job_id", .int), .init("stay_seconds", .int), .init("first_entry", .bool),
        ]),
        TenantTable("applications", columns: [
            .init("id", .int), .init("job_id", .int), .init("candidate_id", .int), .init("stage", .text), .init("cover_letter", .text),
            .init("resume_url", .text), .init("version", .int), .init("created_at", .timestamp), .init("updated_at", .timestamp),
            .init("source", .text), .init("resume_document_id", .int),
            .init("rejection_reason_id", .int), .init("rejection_reason", .text), .init("rejection_note", .text),
        ]),
        // After applications (whose resume_document_id names one), before users.
        TenantTable("documents", columns: [
            .init("id", .int), .init("candidate_id", .int), .init("kind", .text), .init("filename", .text), .init("content_type", .text),
            .init("size", .int), .init("sha256", .text), .init("uploaded_by", .int), .init("created_at", .timestamp), .init("content", .blob),
        ]),
        TenantTable("rejection_reasons", columns: [
            .init("id", .int), .init("name", .text), .init("kind", .text), .init("archived", .bool), .init("created_at", .timestamp),
        ]),
        TenantTable("pipeline_stages", columns: [
            .init("id", .int), .init("pipeline_id", .int), .init("key", .text), .init("name", .text), .init("position", .int), .init("kind", .text),
        ]),
        TenantTable("pipelines", columns: [
            .init("id", .int), .init("job_id", .int), .init("allow_skip", .bool), .init("allow_back", .bool), .init("created_at", .timestamp),
        ]),
        TenantTable("jobs", columns: [
            .init("id", .int), .init("title", .text), .init("company", .text), .init("description", .text), .init("location", .text),
            .init("status", .text), .init("created_by", .int), .init("created_at", .timestamp), .init("updated_at", .timestamp),
        ]),
        TenantTable("outbox", columns: [
            .init("id", .int), .init("event_id", .int), .init("channel", .text), .init("kind", .text), .init("recipient", .text), .init("payload", .text), .init("status", .text),
            .init("attempts", .int), .init("last_error", .text), .init("available_at", .timestamp), .init("created_at", .timestamp),
            .init("sent_at", .timestamp), .init("queued_at", .timestamp), .init("lease_until", .timestamp), .init("response_status", .int),
            .init("duration_ms", .int),
        ]),
        // Its deliveries are outbox rows (recipient: its id as text, no foreign key).
        TenantTable("webhooks", columns: [
            .init("id", .int), .init("url", .text), .init("events", .text), .init("description", .text), .init("active", .bool),
            .init("previous_secret_until", .timestamp), .init("consecutive_failures", .int), .init("last_success_at", .timestamp),
            .init("last_failure_at", .timestamp), .init("created_at", .timestamp), .init("updated_at", .timestamp),
        ], secretColumns: ["secret", "previous_secret"]),
        TenantTable("events", columns: [
            .init("id", .int), .init("type", .text), .init("actor_id", .int), .init("payload", .text), .init("created_at", .timestamp),
            .init("application_id", .int),
        ]),
        TenantTable("tenant_tasks", columns: [
            .init("name", .text), .init("due_at", .timestamp), .init("leased_until", .timestamp), .init("leased_by", .text),
            .init("last_run_at", .timestamp),
        ], orderBy: "name"),
        // Before users: a key references its creator.
        TenantTable("api_keys", columns: [
            .init("id", .int), .init("name", .text), .init("role", .text), .init("prefix", .text), .init("created_by", .int),
            .init("created_at", .timestamp), .init("last_used_at", .timestamp), .init("revoked_at", .timestamp),
        ], secretColumns: ["key_hash"]),
        TenantTable("users", columns: [
            .init("id", .int), .init("email", .text), .init("full_name", .text), .init("role", .text), .init("is_active", .bool),
            .init("created_at", .timestamp), .init("phone", .text), .init("location", .text), .init("links", .text), .init("tags", .text),
            .init("source", .text), .init("updated_at", .timestamp), .init("session_epoch", .int), .init("last_active_at", .timestamp),
            .init("anonymized_at", .timestamp),
        ], secretColumns: ["password_hash"]),
    ]

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let high = PercentEncoding.hexValue(digits[i]), let low = PercentEncoding.hexValue(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }

    /// Deletes every row of the tenant, children first, then the tenant itself, then its
    /// audit log (which may go only once the tenant row is gone; on Citus, later, through
    /// `purgeAuditLog`); throws `.notFound` when
    /// there is no such tenant. Run in a transaction scoped to the tenant.
    public static func delete(_ tx: SQLTransaction, tenant: TenantID) throws {
        let deleted = try tx.run { () throws(SQLError) -> Int in
            for table in tables where !table.appendOnly {
                try tx.connection.execute("DELETE FROM \(table.name) WHERE tenant_id = $1", [.int(tenant.rawValue)])
            }
            let deleted = try tx.connection.execute("DELETE FROM tenants WHERE id = $1", [.int(tenant.rawValue)])
            // On Citus the purge (a SECURITY DEFINER function: another role) may not touch
            // shards this transaction already wrote: the caller purges in a transaction of
            // its own (`purgeAuditLog`).
            if deleted > 0 && !tx.capabilities.distributed { try tx.connection.execute(tx.capabilities.auditPurgeStatement, [.int(tenant.rawValue)]) }
            return deleted
        }
        if deleted == 0 { throw StorageError.notFound }
    }

    /// The audit log of a tenant whose row is deleted; run in a transaction scoped to it.
    public static func purgeAuditLog(_ tx: SQLTransaction, tenant: TenantID) throws {
        try tx.run { () throws(SQLError) in _ = try tx.connection.execute(tx.capabilities.auditPurgeStatement, [.int(tenant.rawValue)]) }
    }

    /// Every row of the tenant, table by table, parents first (a reader can rebuild the
    /// references in order), without the secret columns.
    public static func export(_ tx: SQLTransaction, tenant: TenantID) throws -> [(table: String, rows: [JSONValue])] {
        var result: [(table: String, rows: [JSONValue])] = []
        for table in tables.reversed() {
            let names = table.columns.map { $0.kind == .blob ? tx.capabilities.hexText($0.name) : $0.name }.joined(separator: ", ")
            let rows = try tx.rows("SELECT \(names) FROM \(table.name) WHERE tenant_id = $1 ORDER BY \(table.orderBy)", [.int(tenant.rawValue)]) {
                (row: SQLRow) throws(SQLError) -> JSONValue in
                var fields: [(key: String, value: JSONValue)] = []
                for (i, column) in table.columns.enumerated() {
                    guard try row.optionalText(i) != nil else {
                        fields.append((column.name, .null))
                        continue
                    }
                    switch column.kind {
                    case .int: fields.append((column.name, .int(try row.int(i))))
                    case .text: fields.append((column.name, .string(try row.text(i))))
                    case .bool: fields.append((column.name, .bool(try row.bool(i))))
                    case .timestamp: fields.append((column.name, .string(try row.timestamp(i).rfc3339)))
                    case .blob:
                        guard let bytes = Self.hexBytes(try row.text(i)) else { throw .decoding("column \(i) is not hex") }
                        fields.append((column.name, .string(Base64.encode(bytes))))
                    }
                }
                return .object(fields)
            }
            result.append((table.name, rows))
        }
        return result
    }
}
