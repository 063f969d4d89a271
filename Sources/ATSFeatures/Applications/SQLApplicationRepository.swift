import ATSDomain
import ATSPersistence
import ATSSupport

/// Applications and their stage events in portable SQL (both engines).
public struct SQLApplicationRepository: ApplicationRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    /// The most applications a list counts (`PageResult.totalIsExact` false at it): an
    /// exact count would walk a large tenant's index on every page (docs/data-layer.md).
    public static let countLimit = 10_000

    static let applicationColumns = "tenant_id, id, job_id, candidate_id, stage, cover_letter, resume_url, version, created_at, updated_at, source, resume_document_id"
        + ", rejection_reason_id, rejection_reason, rejection_note"
    /// The columns after `applicationColumns`.
    static let afterApplication = 15

    private static let qualifiedApplicationColumns = applicationColumns.split(separator: ",").map { "a." + $0.trimming(" ") }.joined(separator: ", ")

    static func application(_ row: SQLRow) throws(SQLError) -> Application {
        guard let stage = Stage(rawValue: try row.text(4)) else { throw .decoding("unknown stage") }
        var application = Application(id: ApplicationID(try row.int(1)), tenantID: TenantID(try row.int(0)), jobID: JobID(try row.int(2)),
                           candidateID: UserID(try row.int(3)), stage: stage, coverLetter: try row.optionalText(5),
                           resumeURL: try row.optionalText(6), version: try row.int(7), createdAt: try row.timestamp(8), updatedAt: try row.timestamp(9),
                           source: try row.optionalText(10), resumeDocumentID: try row.optionalInt(11))
        if stage == .rejected {
            application.rejection = Rejection(reasonID: try row.optionalInt(12), reason: try row.optionalText(13), note: try row.optionalText(14))
        }
        return application
    }

    /// `update` (an UPDATE of applications) returning the application columns, then the
    /// job's title and company and the candidate's email and name (what a stage move's
    /// notification names) in one statement: scalar subqueries in RETURNING, or on Citus,
    /// which refuses those, a writable CTE joined to them (one router query on the
    /// tenant's shard). `tenant` is the placeholder of the tenant id.
    static func returningMove(_ update: String, tenant: String, _ capabilities: any SQLCapabilities) -> String {
        guard !capabilities.distributed else {
            return """
                WITH moved AS (\(update) RETURNING \(applicationColumns))
                SELECT moved.*, j.title, j.company, u.email, u.full_name FROM moved
                LEFT JOIN jobs j ON j.tenant_id = \(tenant) AND j.id = moved.job_id
                LEFT JOIN users u ON u.tenant_id = \(tenant) AND u.id = moved.candidate_id
                """
        }
        return """
            \(update)
            RETURNING \(applicationColumns),
                (SELECT title FROM jobs j WHERE j.tenant_id = applications.tenant_id AND j.id = applications.job_id),
                (SELECT company FROM jobs j WHERE j.tenant_id = applications.tenant_id AND j.id = applications.job_id),
                (SELECT email FROM users u WHERE u.tenant_id = applications.tenant_id AND u.id = applications.candidate_id),
                (SELECT full_name FROM users u WHERE u.tenant_id = applications.tenant_id AND u.id = applications.candidate_id)
            """
    }

    public func create(_ tenant: TenantID, _ application: NewApplication, actor: UserID?) throws -> Application {
        try tx.run(unique: .alreadyApplied, foreignKey: .notFound) { () throws(SQLError) -> Application in
            let now = tx.now()
            // The first stage of the job's pipeline (the standard one's when the job has
            // none), found by the INSERT itself: no extra round trip. Citus refuses a
            // subquery inside INSERT … VALUES (and runs INSERT … SELECT as a COPY that
            // forced row-level security refuses), so there it is a query of its own.
            let firstStage = """
                SELECT s.key FROM pipelines p JOIN pipeline_stages s ON s.tenant_id = p.tenant_id AND s.pipeline_id = p.id
                WHERE p.tenant_id = $1 AND p.job_id = $2 ORDER BY s.position LIMIT 1
                """
            var columns: [(String, SQLValue)] = [
                ("tenant_id", .int(tenant.rawValue)), ("job_id", .int(application.jobID.rawValue)), ("candidate_id", .int(application.candidateID.rawValue)),
                ("cover_letter", .optional(application.coverLetter)), ("resume_url", .optional(application.resumeURL)), ("version", .int(1)),
                ("created_at", .timestamp(now)), ("updated_at", .timestamp(now)), ("source", .optional(application.source)),
                ("resume_document_id", application.resumeDocumentID.map { .int($0) } ?? .null),
            ]
            var computed: [(String, String)] = []
            if tx.capabilities.distributed {
                let first = try tx.connection.queryOne(firstStage, [.int(tenant.rawValue), .int(application.jobID.rawValue)])?.text(0)
                columns.append(("stage", .text(first ?? Pipeline.standard.first.rawValue)))
            } else {
                computed.append(("stage", "COALESCE((\(firstStage)), '\(Pipeline.standard.first.rawValue)')"))
            }
            let row = try tx.insertReturning(into: "applications", columns, computed: computed, returning: ["stage"])
            let id = ApplicationID(try row.int(0))
            guard let stage = Stage(rawValue: try row.text(1)) else { throw .decoding("unknown stage") }
            try StageHistory.record(tx, tenant: tenant, [StageHistoryEntry(application: id, from: nil, to: stage)], actor: actor, note: nil, at: now)
            return Application(id: id, tenantID: tenant, jobID: application.jobID, candidateID: application.candidateID,
                               stage: stage, coverLetter: application.coverLetter, resumeURL: application.resumeURL, version: 1,
                               createdAt: now, updatedAt: now, source: application.source, resumeDocumentID: application.resumeDocumentID)
        }
    }

    public func find(_ tenant: TenantID, id: ApplicationID) throws -> Application? {
        try tx.run { () throws(SQLError) -> Application? in
            try tx.connection.queryOne("SELECT \(Self.applicationColumns) FROM applications WHERE tenant_id = $1 AND id = $2",
                                    [.int(tenant.rawValue), .int(id.rawValue)]).map(Self.application)
        }
    }

    public func findWithPipeline(_ tenant: TenantID, id: ApplicationID) throws -> (Application, Pipeline)? {
        // One row per stage of the job's pipeline (one row with NULL stage columns when
        // the job has none), each carrying the application.
        let rows = try tx.rows("""
            SELECT \(Self.qualifiedApplicationColumns), s.key, s.name, s.kind, p.allow_skip, p.allow_back
            FROM applications a
            LEFT JOIN pipelines p ON p.tenant_id = a.tenant_id AND p.job_id = a.job_id
            LEFT JOIN pipeline_stages s ON s.tenant_id = p.tenant_id AND s.pipeline_id = p.id
            WHERE a.tenant_id = $1 AND a.id = $2 ORDER BY s.position
            """, [.int(tenant.rawValue), .int(id.rawValue)]) { $0 }
        guard let first = rows.first else { return nil }
        return try tx.run { () throws(SQLError) -> (Application, Pipeline) in
            let application = try Self.application(first)
            let withStages = try first.optionalText(Self.afterApplication) == nil ? [] : rows
            return (application, try SQLPipelineRepository.decode(withStages, from: Self.afterApplication) ?? .standard)
        }
    }

    public func list(_ tenant: TenantID, filter: ApplicationFilter, page: Page) throws -> PageResult<Application> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if let job = filter.jobID { condition.append(" AND job_id = \(condition.bind(.int(job.rawValue)))") }
        if let candidate = filter.candidateID { condition.append(" AND candidate_id = \(condition.bind(.int(candidate.rawValue)))") }
        if let stage = filter.stage { condition.append(" AND stage = \(condition.bind(.text(stage.rawValue)))") }
        return try tx.page("applications", columns: Self.applicationColumns, where: condition, orderBy: SQLTransaction.newestFirst, page: page,
                           countLimit: Self.countLimit, decode: Self.application)
    }

    public func changeStage(_ tenant: TenantID, id: ApplicationID, from: Stage, to stage: Stage, expectedVersion: Int64, actor: UserID?, note: String?,
                            rejection: Rejection?) throws -> StageMove {
        let now = tx.now()
        // The version in the WHERE clause decides a race: the second UPDATE finds no row
        // at the version it read. The job and the candidate the notification names ride
        // along in the same statement (`returningMove`: no extra round trips).
        let row = try tx.run { () throws(SQLError) -> SQLRow? in
            let update = """
                UPDATE applications SET stage = $1, version = version + 1, updated_at = $2,
                    rejection_reason_id = $6, rejection_reason = $7, rejection_note = $8
                WHERE tenant_id = $3 AND id = $4 AND version = $5
                """
            let parameters: [SQLValue] = [.text(stage.rawValue), .timestamp(now), .int(tenant.rawValue), .int(id.rawValue), .int(expectedVersion),
                                          rejection?.reasonID.map { .int($0) } ?? .null, .optional(rejection?.reason), .optional(rejection?.note)]
            return try tx.connection.queryOne(Self.returningMove(update, tenant: "$3", tx.capabilities), parameters)
        }
        guard let row else {
            // Only on the losing path: tell a vanished (or foreign) row from a stale version.
            throw try find(tenant, id: id) == nil ? StorageError.notFound : StorageError.staleVersion
        }
        return try tx.run { () throws(SQLError) -> StageMove in
            try StageHistory.record(tx, tenant: tenant, [StageHistoryEntry(application: id, from: from, to: stage)], actor: actor, note: note, at: now)
            let c = Self.afterApplication
            return StageMove(application: try Self.application(row), jobTitle: try row.optionalText(c) ?? "", company: try row.optionalText(c + 1) ?? "",
                             candidateEmail: try row.optionalText(c + 2), candidateName: try row.optionalText(c + 3))
        }
    }

    public func events(_ tenant: TenantID, application: ApplicationID) throws -> [ApplicationEvent] {
        try tx.run { () throws(SQLError) -> [ApplicationEvent] in
            var result: [ApplicationEvent] = []
            for row in try tx.connection.query("""
                SELECT id, application_id, from_stage, to_stage, actor_id, note, created_at FROM application_events
                WHERE tenant_id = $1 AND application_id = $2 ORDER BY created_at, id
                """, [.int(tenant.rawValue), .int(application.rawValue)]) {
                guard let to = Stage(rawValue: try row.text(3)) else { throw .decoding("unknown stage") }
                let from = try row.optionalText(2).map { (text: String) throws(SQLError) -> Stage in
                    guard let stage = Stage(rawValue: text) else { throw .decoding("unknown stage") }
                    return stage
                }
                result.append(ApplicationEvent(id: try row.int(0), applicationID: ApplicationID(try row.int(1)), fromStage: from, toStage: to,
                                               actorID: try row.optionalInt(4).map { UserID($0) }, note: try row.optionalText(5),
                                               createdAt: try row.timestamp(6)))
            }
            return result
        }
    }

    public func removePersonalData(_ tenant: TenantID, candidate: UserID) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                UPDATE application_events SET note = NULL
                WHERE tenant_id = $1 AND note IS NOT NULL AND application_id IN (SELECT id FROM applications WHERE tenant_id = $1 AND candidate_id = $2)
                """, [.int(tenant.rawValue), .int(candidate.rawValue)])
            return try tx.connection.execute("UPDATE applications SET cover_letter = NULL, resume_url = NULL, rejection_note = NULL WHERE tenant_id = $1 AND candidate_id = $2",
                                             [.int(tenant.rawValue), .int(candidate.rawValue)])
        }
    }
}
