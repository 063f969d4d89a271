import ATSDomain
import ATSPersistence
import ATSSupport

/// What the workflow reads and writes across applications: several at once (bulk
/// moves), by stage (pipeline edits), and the stage a rejection came from (reopen).
public protocol WorkflowRepository {
    /// The applications among `ids` that exist in this tenant (one statement).
    func applications(_ tenant: TenantID, ids: [ApplicationID]) throws -> [Application]
    /// How many applications of `job` are in each stage.
    func stageCounts(_ tenant: TenantID, job: JobID) throws -> [Stage: Int]
    /// Moves every application of `job` in stage `from` to `to`, each with its event
    /// (no notification); returns how many moved.
    @discardableResult
    func moveAll(_ tenant: TenantID, job: JobID, from: Stage, to: Stage, actor: UserID?) throws -> Int
    /// The stage of the latest move into `rejected` (nil when there is none).
    func rejectedFrom(_ tenant: TenantID, application: ApplicationID) throws -> Stage?
    /// Moves each of `applications` (as read, at its version) to `stage` with its
    /// event, in two statements whatever their number; `.staleVersion` when any changed
    /// since it was read. The moves come back in the order given.
    func changeStages(_ tenant: TenantID, _ applications: [Application], to stage: Stage, actor: UserID?, note: String?,
                      rejection: Rejection?) throws -> [StageMove]
}

/// `WorkflowRepository` in portable SQL (both engines).
public struct SQLWorkflowRepository: WorkflowRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    public func applications(_ tenant: TenantID, ids: [ApplicationID]) throws -> [Application] {
        guard !ids.isEmpty else { return [] }
        var statement = SQLStatement("SELECT \(SQLApplicationRepository.applicationColumns) FROM applications WHERE tenant_id = $1 AND id IN (")
        _ = statement.bind(.int(tenant.rawValue))
        statement.append(ids.map { statement.bind(.int($0.rawValue)) }.joined(separator: ", ") + ")")
        return try tx.rows(statement.sql, statement.parameters, decode: SQLApplicationRepository.application)
    }

    public func stageCounts(_ tenant: TenantID, job: JobID) throws -> [Stage: Int] {
        let rows = try tx.rows("SELECT stage, count(*) FROM applications WHERE tenant_id = $1 AND job_id = $2 GROUP BY stage",
                               [.int(tenant.rawValue), .int(job.rawValue)]) { row throws(SQLError) in (try row.text(0), try row.int(1)) }
        var counts: [Stage: Int] = [:]
        for (key, count) in rows { if let stage = Stage(rawValue: key) { counts[stage] = Int(count) } }
        return counts
    }

    public func moveAll(_ tenant: TenantID, job: JobID, from: Stage, to: Stage, actor: UserID?) throws -> Int {
        let now = tx.now()
        let base: [SQLValue] = [.int(tenant.rawValue), .int(job.rawValue), .text(from.rawValue), .text(to.rawValue), actor.map { .int($0.rawValue) } ?? .null, .timestamp(now)]
        return try tx.run { () throws(SQLError) -> Int in
            let ids = try tx.connection.query("SELECT id FROM applications WHERE tenant_id = $1 AND job_id = $2 AND stage = $3 ORDER BY id",
                                              Array(base.prefix(3))).map { row throws(SQLError) in ApplicationID(try row.int(0)) }
            guard !ids.isEmpty else { return 0 }
            // The history first (it is written for the applications still in `from`).
            try StageHistory.record(tx, tenant: tenant, ids.map { StageHistoryEntry(application: $0, from: from, to: to) }, actor: actor, note: nil, at: now)
            return try tx.connection.execute("""
                UPDATE applications SET stage = $4, version = version + 1, updated_at = $5
                WHERE tenant_id = $1 AND job_id = $2 AND stage = $3
                """, [base[0], base[1], base[2], base[3], base[5]])
        }
    }

    public func changeStages(_ tenant: TenantID, _ applications: [Application], to stage: Stage, actor: UserID?, note: String?,
                             rejection: Rejection?) throws -> [StageMove] {
        guard !applications.isEmpty else { return [] }
        let now = tx.now()
        var update = SQLStatement("""
            UPDATE applications SET stage = $1, version = version + 1, updated_at = $2,
                rejection_reason_id = $3, rejection_reason = $4, rejection_note = $5
            WHERE tenant_id = $6 AND (id, version) IN (
            """)
        for value: SQLValue in [.text(stage.rawValue), .timestamp(now), rejection?.reasonID.map { .int($0) } ?? .null, .optional(rejection?.reason),
                                .optional(rejection?.note), .int(tenant.rawValue)] { _ = update.bind(value) }
        // The version of each row as read decides a race with a single move, as there.
        update.append(applications.map { "(\(update.bind(.int($0.id.rawValue))), \(update.bind(.int($0.version))))" }.joined(separator: ", "))
        update.append(")")
        let sql = SQLApplicationRepository.returningMove(update.sql, tenant: "$6", tx.capabilities)
        let c = SQLApplicationRepository.afterApplication
        let moved = try tx.rows(sql, update.parameters) { row throws(SQLError) -> StageMove in
            StageMove(application: try SQLApplicationRepository.application(row), jobTitle: try row.optionalText(c) ?? "", company: try row.optionalText(c + 1) ?? "",
                      candidateEmail: try row.optionalText(c + 2), candidateName: try row.optionalText(c + 3))
        }
        let byID = Dictionary(moved.map { ($0.application.id, $0) }, uniquingKeysWith: { first, _ in first })
        guard byID.count == applications.count else { throw StorageError.staleVersion }
        try tx.run { () throws(SQLError) in
            try StageHistory.record(tx, tenant: tenant, applications.map { StageHistoryEntry(application: $0.id, from: $0.stage, to: stage) },
                                    actor: actor, note: note, at: now)
        }
        return applications.compactMap { byID[$0.id] }
    }

    public func rejectedFrom(_ tenant: TenantID, application: ApplicationID) throws -> Stage? {
        try tx.rows("""
            SELECT from_stage FROM application_events WHERE tenant_id = $1 AND application_id = $2 AND to_stage = 'rejected'
            ORDER BY created_at DESC, id DESC LIMIT 1
            """, [.int(tenant.rawValue), .int(application.rawValue)]) { row throws(SQLError) in try row.optionalText(0) }.first?.flatMap(Stage.init(rawValue:))
    }
}
