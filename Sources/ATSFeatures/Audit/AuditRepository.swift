import ATSDomain
import ATSPersistence
import ATSSupport

/// The audit log: appended to by every service's writes, read by admins, and shortened
/// only by the daily expiry (rows past 400 days) and tenant deletion (`TenantData`).
public protocol AuditRepository {
    func record(_ tenant: TenantID, _ event: NewAuditEvent) throws
    /// Newest first; the total is counted up to a bound (`PageResult.totalIsExact`).
    func list(_ tenant: TenantID, filter: AuditFilter, page: Page) throws -> PageResult<AuditEvent>
    /// Removes the tenant's entries created before `cutoff` (never any younger than 400
    /// days: the database refuses those).
    func expire(_ tenant: TenantID, before cutoff: Timestamp) throws
}
