import ATSDomain
import ATSPersistence
import ATSSupport

/// Jobs in portable SQL (both engines).
public struct SQLJobRepository: JobRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    /// The most jobs a list counts (`PageResult.totalIsExact` false at it): an exact
    /// count would walk a large tenant's index on every page (docs/data-layer.md).
    public static let countLimit = 10_000

    private static let jobColumns = "tenant_id, id, title, company, description, location, status, created_by, created_at, updated_at"

    private static func job(_ row: SQLRow) throws(SQLError) -> Job {
        guard let status = JobStatus(rawValue: try row.text(6)) else { throw .decoding("unknown job status") }
        return Job(id: JobID(try row.int(1)), tenantID: TenantID(try row.int(0)), title: try row.text(2), company: try row.text(3),
                   description: try row.optionalText(4), location: try row.optionalText(5), status: status,
                   createdBy: UserID(try row.int(7)), createdAt: try row.timestamp(8), updatedAt: try row.timestamp(9))
    }

    public func create(_ tenant: TenantID, _ job: NewJob) throws -> Job {
        try tx.run(foreignKey: .constraintViolation("jobs_created_by_fkey")) { () throws(SQLError) -> Job in
            let now = tx.now()
            let id = try tx.insert(into: "jobs", [
                ("tenant_id", .int(tenant.rawValue)), ("title", .text(job.title)), ("company", .text(job.company)),
                ("description", .optional(job.description)), ("location", .optional(job.location)), ("status", .text(job.status.rawValue)),
                ("created_by", .int(job.createdBy.rawValue)), ("created_at", .timestamp(now)), ("updated_at", .timestamp(now)),
            ])
            return Job(id: JobID(id), tenantID: tenant, title: job.title, company: job.company, description: job.description,
                       location: job.location, status: job.status, createdBy: job.createdBy, createdAt: now, updatedAt: now)
        }
    }

    public func find(_ tenant: TenantID, id: JobID) throws -> Job? {
        try tx.run { () throws(SQLError) -> Job? in
            try tx.connection.queryOne("SELECT \(Self.jobColumns) FROM jobs WHERE tenant_id = $1 AND id = $2",
                                    [.int(tenant.rawValue), .int(id.rawValue)]).map(Self.job)
        }
    }

    public func list(_ tenant: TenantID, filter: JobFilter, page: Page) throws -> PageResult<Job> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if filter.statuses.isEmpty { return PageResult(items: [], total: 0) }
        if Set(filter.statuses) != Set(JobStatus.allCases) {
            let placeholders = filter.statuses.map { condition.bind(.text($0.rawValue)) }
            condition.append(" AND status IN (\(placeholders.joined(separator: ", ")))")
        }
        if let q = filter.q {
            let p = condition.bind(.text(SQLStatement.containsPattern(q)))
            let folded = "lower(CAST(\(p) AS TEXT))"
            condition.append(" AND (lower(title) LIKE \(folded) ESCAPE '\\' OR lower(company) LIKE \(folded) ESCAPE '\\'"
                + " OR lower(coalesce(location, '')) LIKE \(folded) ESCAPE '\\' OR lower(coalesce(description, '')) LIKE \(folded) ESCAPE '\\')")
        }
        if let company = filter.company { condition.append(" AND lower(company) = lower(CAST(\(condition.bind(.text(company))) AS TEXT))") }
        if let location = filter.location { condition.append(" AND lower(location) = lower(CAST(\(condition.bind(.text(location))) AS TEXT))") }
        return try tx.page("jobs", columns: Self.jobColumns, where: condition, orderBy: SQLTransaction.newestFirst, page: page,
                           countLimit: Self.countLimit, decode: Self.job)
    }

    public func update(_ tenant: TenantID, id: JobID, _ changes: JobChanges) throws -> Job {
        var statement = SQLStatement("UPDATE jobs SET ")
        var sets: [String] = []
        if let title = changes.title { sets.append("title = \(statement.bind(.text(title)))") }
        if let company = changes.company { sets.append("company = \(statement.bind(.text(company)))") }
        if let description = changes.description { sets.append("description = \(statement.bind(.optional(description)))") }
        if let location = changes.location { sets.append("location = \(statement.bind(.optional(location)))") }
        if let status = changes.status { sets.append("status = \(statement.bind(.text(status.rawValue)))") }
        sets.append("updated_at = \(statement.bind(.timestamp(tx.now())))")
        statement.append(sets.joined(separator: ", "))
        statement.append(" WHERE tenant_id = \(statement.bind(.int(tenant.rawValue))) AND id = \(statement.bind(.int(id.rawValue)))")
        statement.append(" RETURNING \(Self.jobColumns)")
        let row = try tx.run { () throws(SQLError) -> SQLRow? in try tx.connection.queryOne(statement.sql, statement.parameters) }
        guard let row else { throw StorageError.notFound }
        return try tx.run { () throws(SQLError) -> Job in try Self.job(row) }
    }

    public func delete(_ tenant: TenantID, id: JobID) throws {
        let deleted = try tx.run(foreignKey: .hasDependents) { () throws(SQLError) -> Int in
            let dependents = try tx.connection.queryOne("SELECT count(*) FROM applications WHERE tenant_id = $1 AND job_id = $2",
                                                     [.int(tenant.rawValue), .int(id.rawValue)])?.int(0) ?? 0
            // The foreign key refuses too; asking first gives the same answer on both engines.
            if dependents > 0 { throw .foreignKeyViolation("applications_job_fkey") }
            return try tx.connection.execute("DELETE FROM jobs WHERE tenant_id = $1 AND id = $2", [.int(tenant.rawValue), .int(id.rawValue)])
        }
        if deleted == 0 { throw StorageError.notFound }
    }
}
