import ATSDomain
import ATSPersistence
import ATSSupport

/// Each tenant's scheduled maintenance (`tenant_tasks`): when a task is next due and who
/// holds its lease. Every replica may ask; the database lets exactly one hold it.
public protocol TenantTaskRepository {
    /// Takes the lease on `task` when it is due and nobody holds an unexpired lease
    /// (a task never seen before is due now); false when it is not this caller's to run.
    func claim(_ tenant: TenantID, task: String, now: Timestamp, leaseUntil: Timestamp, holder: String) throws -> Bool
    /// Ends `holder`'s lease and schedules the next run.
    func complete(_ tenant: TenantID, task: String, holder: String, now: Timestamp, nextDue: Timestamp) throws
}

/// Tenant tasks in portable SQL (both engines).
public struct SQLTenantTaskRepository: TenantTaskRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    public func claim(_ tenant: TenantID, task: String, now: Timestamp, leaseUntil: Timestamp, holder: String) throws -> Bool {
        try tx.run { () throws(SQLError) -> Bool in
            _ = try tx.connection.execute("INSERT INTO tenant_tasks (tenant_id, name, due_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                                      [.int(tenant.rawValue), .text(task), .timestamp(now)])
            // One UPDATE decides: on PostgreSQL a concurrent claimer waits for the row and
            // then finds the lease taken; SQLite has one writer.
            return try tx.connection.execute("""
                UPDATE tenant_tasks SET leased_until = $4, leased_by = $5
                WHERE tenant_id = $1 AND name = $2 AND due_at <= $3 AND (leased_until IS NULL OR leased_until < $3)
                """, [.int(tenant.rawValue), .text(task), .timestamp(now), .timestamp(leaseUntil), .text(holder)]) == 1
        }
    }

    public func complete(_ tenant: TenantID, task: String, holder: String, now: Timestamp, nextDue: Timestamp) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                UPDATE tenant_tasks SET due_at = $4, last_run_at = $5, leased_until = NULL, leased_by = NULL
                WHERE tenant_id = $1 AND name = $2 AND leased_by = $3
                """, [.int(tenant.rawValue), .text(task), .text(holder), .timestamp(nextDue), .timestamp(now)])
        }
    }
}
