import ATSDomain
import ATSPersistence
import ATSSupport

/// What the retention sweep reads: which tenants keep candidates for a limited time, and
/// who is past it.
public protocol RetentionRepository {
    /// Tenants with `candidate_retention_days` set: (tenant, days).
    func policies() throws -> [(tenant: TenantID, days: Int)]
    /// Up to `limit` candidates of `tenant` not yet anonymized, with no activity since
    /// `cutoff` (created, profile changed, signed in, an application changed) and no
    /// application in a stage that is not terminal.
    func expired(_ tenant: TenantID, cutoff: Timestamp, limit: Int) throws -> [UserID]
}

/// The sweep's queries in portable SQL (both engines).
public struct SQLRetentionRepository: RetentionRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    public func policies() throws -> [(tenant: TenantID, days: Int)] {
        try tx.run { () throws(SQLError) -> [(tenant: TenantID, days: Int)] in
            try tx.connection.query("SELECT id, candidate_retention_days FROM tenants WHERE candidate_retention_days IS NOT NULL ORDER BY id", [])
                .map { row throws(SQLError) in (TenantID(try row.int(0)), Int(try row.int(1))) }
        }
    }

    public func expired(_ tenant: TenantID, cutoff: Timestamp, limit: Int) throws -> [UserID] {
        try tx.run { () throws(SQLError) -> [UserID] in
            // An application counts as open unless its stage is a terminal one (hired or
            // rejected kind) of its job's pipeline; updated_at moves with every stage change.
            // Every table is filtered by the tenant itself, not only through the
            // correlation: Citus routes the query to one shard only then ("complex joins
            // are only supported when …" otherwise).
            try tx.connection.query("""
                SELECT u.id FROM users u
                WHERE u.tenant_id = $1 AND u.role = 'candidate' AND u.anonymized_at IS NULL
                  AND u.created_at < $2 AND u.updated_at < $2 AND (u.last_active_at IS NULL OR u.last_active_at < $2)
                  AND NOT EXISTS (
                    SELECT 1 FROM applications a
                    WHERE a.tenant_id = $1 AND a.tenant_id = u.tenant_id AND a.candidate_id = u.id
                      AND (a.updated_at >= $2 OR NOT EXISTS (
                        SELECT 1 FROM pipelines p JOIN pipeline_stages s ON s.tenant_id = p.tenant_id AND s.pipeline_id = p.id
                        WHERE p.tenant_id = $1 AND s.tenant_id = $1 AND p.tenant_id = a.tenant_id AND p.job_id = a.job_id
                          AND s.key = a.stage AND s.kind IN ('hired', 'rejected'))))
                ORDER BY u.id LIMIT \(limit)
                """, [.int(tenant.rawValue), .timestamp(cutoff)]).map { row throws(SQLError) in UserID(try row.int(0)) }
        }
    }
}
