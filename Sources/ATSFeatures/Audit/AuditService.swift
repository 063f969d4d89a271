import ATSDomain
import ATSPersistence
import ATSSupport

/// The audit log as admins read it, and its retention (API.md, Audit log): entries are
/// kept 400 days, then removed by a daily run per tenant, leased in `tenant_tasks` as the
/// candidate retention sweep is (one replica does each tenant's run).
public struct AuditService: Sendable {
    public static let task = "audit_retention"
    public static let retentionDays: Int64 = 400
    static let day: Int64 = 86_400_000_000

    public init() {}

    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User, filter: AuditFilter, page: Page) throws -> PageResult<AuditEvent> {
        try Access.require(caller, [.admin])
        return try work.auditLog.list(tenant, filter: filter, page: page)
    }

    /// Expires old entries in every tenant whose daily run is due at `now`; returns the
    /// tenants it ran for. Three short transactions per tenant: claim, delete, schedule.
    @discardableResult
    public func sweep(_ database: any Database, now: Timestamp, holder: String) throws -> [TenantID] {
        let cutoff = Timestamp(microseconds: now.microseconds - Self.retentionDays * Self.day)
        let leaseUntil = Timestamp(microseconds: now.microseconds + RetentionService.leaseSeconds * 1_000_000)
        var ran: [TenantID] = []
        for tenant in try database.read(tenant: nil, { try $0.tenants.list() }) {
            let claimed = try database.transaction(tenant: tenant.id) { work -> Bool in
                try work.tenantTasks.claim(tenant.id, task: Self.task, now: now, leaseUntil: leaseUntil, holder: holder)
            }
            guard claimed else { continue }
            // The expiry in a transaction of its own (the lease keeps others out): on Citus
            // the SECURITY DEFINER function runs as the owner, which may not touch shards
            // this transaction's role already wrote ("placements that were modified in
            // this transaction by a different user"). Expiring again is harmless.
            try database.transaction(tenant: tenant.id) { work in try work.auditLog.expire(tenant.id, before: cutoff) }
            try database.transaction(tenant: tenant.id) { work in
                try work.tenantTasks.complete(tenant.id, task: Self.task, holder: holder, now: now, nextDue: Timestamp(microseconds: now.microseconds + Self.day))
            }
            ran.append(tenant.id)
        }
        return ran
    }
}
