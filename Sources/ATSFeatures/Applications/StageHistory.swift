import ATSDomain
import ATSPersistence
import ATSSupport

/// One entry of an application's stage history about to be written.
struct StageHistoryEntry {
    let application: ApplicationID
    let from: Stage?
    let to: Stage
}

/// Writes stage-history entries (`application_events`) with what the reports read from
/// them (migration 0016): the open stay each application leaves is closed with its
/// length, and each new entry carries its application's creation time and job and
/// whether it is the first entry into that stage. One statement per 1,000 entries on
/// PostgreSQL (two on SQLite), chunked for the engines' bound-parameter limits; every
/// writer of the history goes through here.
enum StageHistory {
    static let chunk = 1_000

    static func record(_ tx: SQLTransaction, tenant: TenantID, _ entries: [StageHistoryEntry], actor: UserID?, note: String?,
                       at now: Timestamp) throws(SQLError) {
        for start in stride(from: 0, to: entries.count, by: chunk) {
            try write(tx, tenant: tenant, Array(entries[start..<min(start + chunk, entries.count)]), actor: actor, note: note, at: now)
        }
    }

    private static func write(_ tx: SQLTransaction, tenant: TenantID, _ entries: [StageHistoryEntry], actor: UserID?, note: String?,
                              at now: Timestamp) throws(SQLError) {
        if tx.capabilities.distributed { return try writeDistributed(tx, tenant: tenant, entries, actor: actor, note: note, at: now) }
        let postgres = tx.capabilities.dialect == .postgres
        // $1 the tenant, $2 the time.
        var statement = SQLStatement()
        _ = statement.bind(.int(tenant.rawValue))
        _ = statement.bind(.timestamp(now))
        let moved = entries.filter { $0.from != nil }
        var close = ""
        if !moved.isEmpty {
            let elapsed = postgres ? "CAST(EXTRACT(EPOCH FROM (CAST($2 AS timestamptz) - created_at)) AS bigint)"
                                   : "CAST(round((julianday($2) - julianday(created_at)) * 86400) AS INTEGER)"
            close = "UPDATE application_events SET stay_seconds = \(elapsed) WHERE tenant_id = $1 AND stay_seconds IS NULL AND application_id IN ("
                + moved.map { statement.bind(.int($0.application.rawValue)) }.joined(separator: ", ") + ")"
            if !postgres {
                // SQLite cannot write in a WITH clause: a statement of its own (no round trip).
                _ = try tx.connection.execute(close, statement.parameters)
                statement = SQLStatement()
                _ = statement.bind(.int(tenant.rawValue))
                _ = statement.bind(.timestamp(now))
                close = ""
            }
        }
        let first = try tx.reserveIDs("application_events", count: entries.count)
        // PostgreSQL closes the open stays in the same statement (one round trip): the
        // INSERT's NOT EXISTS reads the snapshot before either write.
        statement.append(close.isEmpty ? "WITH " : "WITH closed AS (\(close) RETURNING 1), ")
        statement.append("v (ord, application_id, from_stage, to_stage) AS (VALUES ")
        statement.append(entries.enumerated().map { i, entry in
            "(\(i), CAST(\(statement.bind(.int(entry.application.rawValue))) AS bigint), CAST(\(statement.bind(.optional(entry.from?.rawValue))) AS text), "
                + "CAST(\(statement.bind(.text(entry.to.rawValue))) AS text))"
        }.joined(separator: ", "))
        let actorValue = statement.bind(actor.map { .int($0.rawValue) } ?? .null)
        let noteValue = statement.bind(.optional(note))
        let idColumn = first == nil ? "" : "id, "
        let idValue = first.map { "CAST(\(statement.bind(.int($0))) AS bigint) + v.ord, " } ?? ""
        statement.append("""
            )
            INSERT INTO application_events (\(idColumn)tenant_id, application_id, from_stage, to_stage, actor_id, note, created_at, applied_at, job_id, first_entry)
            SELECT \(idValue)a.tenant_id, a.id, v.from_stage, v.to_stage, CAST(\(actorValue) AS bigint), CAST(\(noteValue) AS text), \(postgres ? "CAST($2 AS timestamptz)" : "$2"),
                a.created_at, a.job_id,
                NOT EXISTS (SELECT 1 FROM application_events p WHERE p.tenant_id = a.tenant_id AND p.application_id = a.id AND p.to_stage = v.to_stage)
            FROM v JOIN applications a ON a.tenant_id = $1 AND a.id = v.application_id
            ORDER BY v.ord
            """)
        _ = try tx.connection.execute(statement.sql, statement.parameters)
    }

    /// Citus: the same rows, read first and inserted as VALUES (its INSERT … SELECT is a
    /// COPY into the shards, which forced row-level security refuses). Three statements,
    /// each routed to the tenant's shard.
    private static func writeDistributed(_ tx: SQLTransaction, tenant: TenantID, _ entries: [StageHistoryEntry], actor: UserID?, note: String?,
                                         at now: Timestamp) throws(SQLError) {
        var read = SQLStatement()
        _ = read.bind(.int(tenant.rawValue))
        read.append("WITH v (ord, application_id, to_stage) AS (VALUES ")
        read.append(entries.enumerated().map { i, entry in
            "(\(i), CAST(\(read.bind(.int(entry.application.rawValue))) AS bigint), CAST(\(read.bind(.text(entry.to.rawValue))) AS text))"
        }.joined(separator: ", "))
        read.append("""
            )
            SELECT v.ord, a.created_at, a.job_id,
                NOT EXISTS (SELECT 1 FROM application_events p WHERE p.tenant_id = $1 AND p.application_id = a.id AND p.to_stage = v.to_stage)
            FROM v JOIN applications a ON a.tenant_id = $1 AND a.id = v.application_id
            ORDER BY v.ord
            """)
        let rows = try tx.connection.query(read.sql, read.parameters)
        let moved = entries.filter { $0.from != nil }
        if !moved.isEmpty {
            var close = SQLStatement()
            _ = close.bind(.int(tenant.rawValue))
            _ = close.bind(.timestamp(now))
            close.append("UPDATE application_events SET stay_seconds = CAST(EXTRACT(EPOCH FROM (CAST($2 AS timestamptz) - created_at)) AS bigint) "
                + "WHERE tenant_id = $1 AND stay_seconds IS NULL AND application_id IN ("
                + moved.map { close.bind(.int($0.application.rawValue)) }.joined(separator: ", ") + ")")
            _ = try tx.connection.execute(close.sql, close.parameters)
        }
        guard !rows.isEmpty else { return }
        var insert = SQLStatement("INSERT INTO application_events (tenant_id, application_id, from_stage, to_stage, actor_id, note, created_at, applied_at, job_id, first_entry) VALUES ")
        var values: [String] = []
        for row in rows {
            let entry = entries[Int(try row.int(0))]
            let fields: [SQLValue] = [.int(tenant.rawValue), .int(entry.application.rawValue), .optional(entry.from?.rawValue), .text(entry.to.rawValue),
                                      actor.map { .int($0.rawValue) } ?? .null, .optional(note), .timestamp(now), .timestamp(try row.timestamp(1)),
                                      .int(try row.int(2)), .bool(try row.bool(3))]
            values.append("(" + fields.map { insert.bind($0) }.joined(separator: ", ") + ")")
        }
        insert.append(values.joined(separator: ", "))
        _ = try tx.connection.execute(insert.sql, insert.parameters)
    }
}
