import ATSDomain
import ATSPersistence
import ATSSupport

/// `ReportRepository` in SQL, over the applications and the report columns of their
/// stage history (migration 0016, written by `StageHistory`). Portable but for the
/// percentiles: `percentile_cont` in PostgreSQL; in SQLite the same interpolation from
/// the stays read at their ranks (`sqliteStays`).
public struct SQLReportRepository: ReportRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    /// The window's condition on `applications a`, and its parameters ($1 tenant, $2
    /// from, $3 to, $4 job when there is one).
    private func scope(_ tenant: TenantID, _ window: ReportWindow) -> (sql: String, parameters: [SQLValue]) {
        var sql = "a.tenant_id = $1 AND a.created_at >= $2 AND a.created_at <= $3"
        var parameters: [SQLValue] = [.int(tenant.rawValue), .timestamp(window.from), .timestamp(window.to)]
        if let job = window.job {
            sql += " AND a.job_id = $4"
            parameters.append(.int(job.rawValue))
        }
        return (sql, parameters)
    }

    /// The key of each job's stage of kind `hired` (a job without a pipeline row follows
    /// the standard pipeline, whose `hired` stage is keyed `hired`): a few rows, joined by
    /// hash to the applications (`h.key` is not NULL for a hired application).
    private static let hiredStages = """
        hired (job_id, key) AS (
            SELECT p.job_id, s.key FROM pipelines p JOIN pipeline_stages s ON s.tenant_id = p.tenant_id AND s.pipeline_id = p.id
            WHERE p.tenant_id = $1 AND p.job_id IS NOT NULL AND s.kind = 'hired'
            UNION ALL
            SELECT j.id, 'hired' FROM jobs j WHERE j.tenant_id = $1
                AND NOT EXISTS (SELECT 1 FROM pipelines p WHERE p.tenant_id = j.tenant_id AND p.job_id = j.id)
        )
        """
    private static let hiredJoin = "LEFT JOIN hired h ON h.job_id = a.job_id AND h.key = a.stage"
    private static let isHired = "h.key IS NOT NULL"

    /// The window's condition on the stage history `e` (columns of migration 0016),
    /// with the same parameters as `scope`.
    private func historyScope(_ window: ReportWindow) -> String {
        "e.tenant_id = $1 AND e.applied_at >= $2 AND e.applied_at <= $3" + (window.job == nil ? "" : " AND e.job_id = $4")
    }

    public func funnel(_ tenant: TenantID, _ window: ReportWindow) throws -> FunnelCounts {
        let (condition, parameters) = scope(tenant, window)
        // One statement, two kinds of row: ('current', stage, count, hired) per stage
        // the applications are in now, and ('reached', stage, count, 0) per stage they
        // ever entered (their first entry into it).
        let sql = """
            WITH \(Self.hiredStages)
            SELECT 'current', a.stage, count(*), sum(CASE WHEN \(Self.isHired) THEN 1 ELSE 0 END)
            FROM applications a \(Self.hiredJoin)
            WHERE \(condition) GROUP BY a.stage
            UNION ALL
            SELECT 'reached', e.to_stage, count(*), 0 FROM application_events e
            WHERE \(historyScope(window)) AND e.first_entry GROUP BY e.to_stage
            """
        let rows = try tx.rows(sql, parameters) { row throws(SQLError) in
            (try row.text(0), try row.text(1), Int(try row.int(2)), Int(try row.int(3)))
        }
        var counts = FunnelCounts()
        for (kind, key, count, hired) in rows {
            guard let stage = Stage(rawValue: key) else { continue }
            if kind == "current" {
                counts.current[stage] = count
                counts.applications += count
                counts.hired += hired
            } else {
                counts.reached[stage] = count
            }
        }
        return counts
    }

    public func stays(_ tenant: TenantID, _ window: ReportWindow) throws -> [Stage: StayStatistics] {
        let (_, parameters) = scope(tenant, window)
        let stays = "FROM application_events e WHERE \(historyScope(window)) AND e.stay_seconds IS NOT NULL"
        guard tx.capabilities.dialect == .postgres else {
            // Over every job, SQLite is steered to the stays index (tenant, stage, length),
            // the window checked per entry (`+` keeps the planner from the applied_at range,
            // which it prefers by its statistics and which then sorts every stay).
            let all = "FROM application_events e INDEXED BY application_events_stays WHERE e.tenant_id = $1 AND +e.applied_at >= $2 AND +e.applied_at <= $3 "
                + "AND e.stay_seconds IS NOT NULL"
            return try sqliteStays(parameters, from: window.job == nil ? all : stays)
        }
        // Grouped in the order of the stays index (tenant, stage, length): each group's
        // sort gets sorted input.
        let sql = """
            SELECT e.to_stage, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY e.stay_seconds),
                percentile_cont(0.9) WITHIN GROUP (ORDER BY e.stay_seconds)
            \(stays) GROUP BY e.to_stage
            """
        let rows = try tx.rows(sql, parameters) { row throws(SQLError) in
            (try row.text(0), StayStatistics(samples: Int(try row.int(1)), medianHours: try row.double(2) / 3600, p90Hours: try row.double(3) / 3600))
        }
        var result: [Stage: StayStatistics] = [:]
        for (key, statistics) in rows { if let stage = Stage(rawValue: key) { result[stage] = statistics } }
        return result
    }

    /// SQLite has no percentile_cont, and ranking every stay with window functions sorts
    /// them all (seconds at 100,000 applications). Instead: each stage's count, then the
    /// two stays around each percentile's rank read in order from the stays index
    /// (tenant, stage, length) with LIMIT 2 OFFSET rank, interpolated as
    /// `percentile_cont` does.
    private func sqliteStays(_ parameters: [SQLValue], from stays: String) throws -> [Stage: StayStatistics] {
        let counts = try tx.rows("SELECT e.to_stage, count(*) \(stays) GROUP BY e.to_stage", parameters) { row throws(SQLError) in
            (try row.text(0), Int(try row.int(1)))
        }
        var result: [Stage: StayStatistics] = [:]
        let stageParameter = "$\(parameters.count + 1)", offsetParameter = "$\(parameters.count + 2)"
        for (key, n) in counts {
            guard let stage = Stage(rawValue: key), n > 0 else { continue }
            func percentile(_ p: Double) throws -> Double {
                let position = p * Double(n - 1)
                let rank = Int(position.rounded(.down))
                let values = try tx.rows("SELECT e.stay_seconds \(stays) AND e.to_stage = \(stageParameter) ORDER BY e.stay_seconds LIMIT 2 OFFSET \(offsetParameter)",
                                         parameters + [.text(key), .int(Int64(rank))]) { row throws(SQLError) in Double(try row.int(0)) }
                guard let low = values.first else { return 0 }
                return low + (position - Double(rank)) * ((values.count > 1 ? values[1] : low) - low)
            }
            result[stage] = StayStatistics(samples: n, medianHours: try percentile(0.5) / 3600, p90Hours: try percentile(0.9) / 3600)
        }
        return result
    }

    public func sources(_ tenant: TenantID, _ window: ReportWindow) throws -> [SourceRow] {
        let (condition, parameters) = scope(tenant, window)
        let sql = """
            WITH \(Self.hiredStages)
            SELECT COALESCE(a.source, 'direct') AS source, count(*) AS applications, sum(CASE WHEN \(Self.isHired) THEN 1 ELSE 0 END)
            FROM applications a \(Self.hiredJoin)
            WHERE \(condition) GROUP BY COALESCE(a.source, 'direct') ORDER BY applications DESC, source
            """
        return try tx.rows(sql, parameters) { row throws(SQLError) in
            SourceRow(source: try row.text(0), applications: Int(try row.int(1)), hired: Int(try row.int(2)))
        }
    }
}
