import ATSDomain
import ATSPersistence
import ATSSupport

/// Pipelines and their stages in portable SQL (both engines).
public struct SQLPipelineRepository: PipelineRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    /// `stageColumns` of a pipeline's stages, in order, plus its flags (repeated per row).
    static let stagesQuery = """
        SELECT s.key, s.name, s.kind, p.allow_skip, p.allow_back FROM pipelines p
        JOIN pipeline_stages s ON s.tenant_id = p.tenant_id AND s.pipeline_id = p.id
        WHERE p.tenant_id = $1 AND
        """

    public func forJob(_ tenant: TenantID, _ job: JobID) throws -> Pipeline? {
        try pipeline(Self.stagesQuery + " p.job_id = $2 ORDER BY s.position", [.int(tenant.rawValue), .int(job.rawValue)])
    }

    public func template(_ tenant: TenantID) throws -> Pipeline? {
        try pipeline(Self.stagesQuery + " p.job_id IS NULL ORDER BY s.position", [.int(tenant.rawValue)])
    }

    private func pipeline(_ sql: String, _ parameters: [SQLValue]) throws -> Pipeline? {
        let rows = try tx.rows(sql, parameters) { $0 }
        return try tx.run { () throws(SQLError) -> Pipeline? in try Self.decode(rows, from: 0) }
    }

    /// A pipeline from rows of `key, name, kind, allow_skip, allow_back` starting at
    /// column `from`; nil without rows.
    static func decode(_ rows: [SQLRow], from column: Int) throws(SQLError) -> Pipeline? {
        guard let first = rows.first else { return nil }
        var stages: [Pipeline.StageDefinition] = []
        for row in rows {
            guard let stage = Stage(rawValue: try row.text(column)), let kind = Pipeline.Kind(rawValue: try row.text(column + 2)) else {
                throw .decoding("unknown stage or stage kind")
            }
            stages.append(Pipeline.StageDefinition(stage, name: try row.text(column + 1), kind: kind))
        }
        return Pipeline(stages: stages, allowSkip: try first.bool(column + 3), allowBack: try first.bool(column + 4))
    }

    public func createTemplate(_ tenant: TenantID, _ pipeline: Pipeline) throws {
        try insert(tenant, job: nil, pipeline)
    }

    public func copyTemplate(_ tenant: TenantID, toJob job: JobID) throws {
        try insert(tenant, job: job, try template(tenant) ?? .standard)
    }

    public func replace(_ tenant: TenantID, job: JobID?, _ pipeline: Pipeline) throws {
        let condition = job == nil ? "job_id IS NULL" : "job_id = $2"
        var parameters: [SQLValue] = [.int(tenant.rawValue)]
        if let job { parameters.append(.int(job.rawValue)) }
        let existing = try tx.rows("SELECT id FROM pipelines WHERE tenant_id = $1 AND \(condition)", parameters) { row throws(SQLError) in try row.int(0) }
        guard let id = existing.first else { return try insert(tenant, job: job, pipeline) }
        try tx.run { () throws(SQLError) in
            try tx.connection.execute("UPDATE pipelines SET allow_skip = $3, allow_back = $4 WHERE tenant_id = $1 AND id = $2",
                                      [.int(tenant.rawValue), .int(id), .bool(pipeline.allowSkip), .bool(pipeline.allowBack)])
            // Nothing refers to a stage row: the stages are written afresh (positions
            // change freely without tripping the per-position uniqueness midway).
            try tx.connection.execute("DELETE FROM pipeline_stages WHERE tenant_id = $1 AND pipeline_id = $2", [.int(tenant.rawValue), .int(id)])
            try insertStages(tenant, pipelineID: id, pipeline)
        }
    }

    public func forJobs(_ tenant: TenantID, _ jobs: [JobID]) throws -> [JobID: Pipeline] {
        guard !jobs.isEmpty else { return [:] }
        var statement = SQLStatement("""
            SELECT p.job_id, s.key, s.name, s.kind, p.allow_skip, p.allow_back FROM pipelines p
            JOIN pipeline_stages s ON s.tenant_id = p.tenant_id AND s.pipeline_id = p.id
            WHERE p.tenant_id = $1 AND p.job_id IN (
            """)
        _ = statement.bind(.int(tenant.rawValue))
        statement.append(Set(jobs).map { statement.bind(.int($0.rawValue)) }.joined(separator: ", ") + ") ORDER BY p.job_id, s.position")
        let rows = try tx.rows(statement.sql, statement.parameters) { $0 }
        return try tx.run { () throws(SQLError) -> [JobID: Pipeline] in
            var byJob: [Int64: [SQLRow]] = [:]
            for row in rows { byJob[try row.int(0), default: []].append(row) }
            var result: [JobID: Pipeline] = [:]
            for (job, rows) in byJob { result[JobID(job)] = try Self.decode(rows, from: 1) }
            return result
        }
    }

    private func insert(_ tenant: TenantID, job: JobID?, _ pipeline: Pipeline) throws {
        try tx.run { () throws(SQLError) in
            let id = try tx.insert(into: "pipelines", [
                ("tenant_id", .int(tenant.rawValue)), ("job_id", job.map { .int($0.rawValue) } ?? .null), ("allow_skip", .bool(pipeline.allowSkip)),
                ("allow_back", .bool(pipeline.allowBack)), ("created_at", .timestamp(tx.now())),
            ])
            try insertStages(tenant, pipelineID: id, pipeline)
        }
    }

    /// All the stages in one multi-row INSERT (ids reserved together where the engine
    /// does not make them).
    private func insertStages(_ tenant: TenantID, pipelineID: Int64, _ pipeline: Pipeline) throws(SQLError) {
        guard !pipeline.stages.isEmpty else { return }
        let first = try tx.reserveIDs("pipeline_stages", count: pipeline.stages.count)
        var insert = SQLStatement("INSERT INTO pipeline_stages (\(first == nil ? "" : "id, ")tenant_id, pipeline_id, key, name, position, kind) VALUES ")
        var rows: [String] = []
        for (position, definition) in pipeline.stages.enumerated() {
            var values: [SQLValue] = [.int(tenant.rawValue), .int(pipelineID), .text(definition.stage.rawValue), .text(definition.name),
                                      .int(Int64(position + 1)), .text(definition.kind.rawValue)]
            if let first { values.insert(.int(first + Int64(position)), at: 0) }
            rows.append("(" + values.map { insert.bind($0) }.joined(separator: ", ") + ")")
        }
        insert.append(rows.joined(separator: ", "))
        try tx.connection.execute(insert.sql, insert.parameters)
    }
}
