import ATSDomain
import ATSPersistence
import ATSSupport

/// Tenants are the one global table: resolving a tenant happens before there is one.
public protocol TenantRepository {
    func create(slug: String, name: String) throws -> Tenant
    func find(slug: String) throws -> Tenant?
    func find(id: TenantID) throws -> Tenant?
    func list() throws -> [Tenant]
    /// Deletes the tenant and every row it owns (events, applications, jobs, outbox, users),
    /// children first. Run it in a transaction scoped to the tenant.
    func deleteWithAllData(_ tenant: TenantID) throws
}
