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

    private func insert(_ tenant: TenantID, job: JobID?, _ pipeline: Pipeline) throws {
        try tx.run { () throws(SQLError) in
            let id = try tx.insert(into: "pipelines", [
                ("tenant_id", .int(tenant.rawValue)), ("job_id", job.map { .int($0.rawValue) } ?? .null), ("allow_skip", .bool(pipeline.allowSkip)),
                ("allow_back", .bool(pipeline.allowBack)), ("created_at", .timestamp(tx.now())),
            ])
            for (position, definition) in pipeline.stages.enumerated() {
                _ = try tx.insert(into: "pipeline_stages", [
                    ("tenant_id", .int(tenant.rawValue)), ("pipeline_id", .int(id)), ("key", .text(definition.stage.rawValue)),
                    ("name", .text(definition.name)), ("position", .int(Int64(position + 1))), ("kind", .text(definition.kind.rawValue)),
                ])
            }
        }
    }
}
