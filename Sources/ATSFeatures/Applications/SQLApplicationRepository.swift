import ATSDomain
import ATSPersistence
import ATSSupport

/// Applications and their stage events in portable SQL (both engines).
public struct SQLApplicationRepository: ApplicationRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    private static let applicationColumns = "tenant_id, id, job_id, candidate_id, stage, cover_letter, resume_url, version, created_at, updated_at"

    private static func application(_ row: SQLRow) throws(SQLError) -> Application {
        guard let stage = Stage(rawValue: try row.text(4)) else { throw .decoding("unknown stage") }
        return Application(id: ApplicationID(try row.int(1)), tenantID: TenantID(try row.int(0)), jobID: JobID(try row.int(2)),
                           candidateID: UserID(try row.int(3)), stage: stage, coverLetter: try row.optionalText(5),
                           resumeURL: try row.optionalText(6), version: try row.int(7), createdAt: try row.timestamp(8), updatedAt: try row.timestamp(9))
    }

    public func create(_ tenant: TenantID, _ application: NewApplication, actor: UserID) throws -> Application {
        try tx.run(unique: .alreadyApplied, foreignKey: .notFound) { () throws(SQLError) -> Application in
            let id = try tx.connection.allocateID("applications")
            let now = tx.now()
            try tx.connection.execute("""
                INSERT INTO applications (tenant_id, id, job_id, candidate_id, stage, cover_letter, resume_url, version, created_at, updated_at)
                VALUES ($1, $2, $3, $4, 'applied', $5, $6, 1, $7, $7)
                """, [.int(tenant.rawValue), .int(id), .int(application.jobID.rawValue), .int(application.candidateID.rawValue),
                      .optional(application.coverLetter), .optional(application.resumeURL), .timestamp(now)])
            try insertEvent(tenant, ApplicationID(id), from: nil, to: .applied, actor: actor, note: nil, at: now)
            return Application(id: ApplicationID(id), tenantID: tenant, jobID: application.jobID, candidateID: application.candidateID,
                               stage: .applied, coverLetter: application.coverLetter, resumeURL: application.resumeURL, version: 1,
                               createdAt: now, updatedAt: now)
        }
    }

    private func insertEvent(_ tenant: TenantID, _ application: ApplicationID, from: Stage?, to: Stage, actor: UserID?, note: String?, at: Timestamp) throws(SQLError) {
        let id = try tx.connection.allocateID("application_events")
        try tx.connection.execute("""
            INSERT INTO application_events (tenant_id, id, application_id, from_stage, to_stage, actor_id, note, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [.int(tenant.rawValue), .int(id), .int(application.rawValue), .optional(from?.rawValue), .text(to.rawValue),
                  actor.map { .int($0.rawValue) } ?? .null, .optional(note), .timestamp(at)])
    }

    public func find(_ tenant: TenantID, id: ApplicationID) throws -> Application? {
        try tx.run { () throws(SQLError) -> Application? in
            try tx.connection.queryOne("SELECT \(Self.applicationColumns) FROM applications WHERE tenant_id = $1 AND id = $2",
                                    [.int(tenant.rawValue), .int(id.rawValue)]).map(Self.application)
        }
    }

    public func list(_ tenant: TenantID, filter: ApplicationFilter, page: Page) throws -> PageResult<Application> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if let job = filter.jobID { condition.append(" AND job_id = \(condition.bind(.int(job.rawValue)))") }
        if let candidate = filter.candidateID { condition.append(" AND candidate_id = \(condition.bind(.int(candidate.rawValue)))") }
        if let stage = filter.stage { condition.append(" AND stage = \(condition.bind(.text(stage.rawValue)))") }
        return try tx.page("applications", columns: Self.applicationColumns, where: condition, orderBy: "created_at DESC, id DESC", page: page, decode: Self.application)
    }

    public func changeStage(_ tenant: TenantID, id: ApplicationID, to stage: Stage, expectedVersion: Int64, actor: UserID, note: String?) throws -> Application {
        guard let current = try find(tenant, id: id) else { throw StorageError.notFound }
        guard current.version == expectedVersion else { throw StorageError.staleVersion }
        let now = tx.now()
        // The version in the WHERE clause makes a concurrent change lose cleanly: the
        // second UPDATE finds no row at the version it read.
        let row = try tx.run { () throws(SQLError) -> SQLRow? in
            try tx.connection.queryOne("""
                UPDATE applications SET stage = $1, version = version + 1, updated_at = $2
                WHERE tenant_id = $3 AND id = $4 AND version = $5
                RETURNING \(Self.applicationColumns)
                """, [.text(stage.rawValue), .timestamp(now), .int(tenant.rawValue), .int(id.rawValue), .int(expectedVersion)])
        }
        guard let row else { throw StorageError.staleVersion }
        return try tx.run { () throws(SQLError) -> Application in
            try insertEvent(tenant, id, from: current.stage, to: stage, actor: actor, note: note, at: now)
            return try Self.application(row)
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
}
