import ATSDomain
import ATSPersistence
import ATSSupport

/// Tenants are the one global table: resolving a tenant happens before there is one.
public protocol TenantRepository {
    func create(slug: String, name: String) throws -> Tenant
    func find(slug: String) throws -> Tenant?
    func find(id: TenantID) throws -> Tenant?
    func list() throws -> [Tenant]
    /// Renames the tenant and/or changes the settings given (only those columns, so two
    /// partial changes of different settings never undo each other); `.notFound` when
    /// there is no such tenant.
    func update(id: TenantID, name: String?, settings: TenantSettingsChanges) throws -> Tenant
    /// Activates or suspends the tenant; `.notFound` when there is none.
    func setStatus(id: TenantID, _ status: TenantStatus) throws -> Tenant
    /// The operator's usage counts (`users`, `candidates`, `jobs`, `applications`,
    /// `documents_bytes`), by name in that order. Run it scoped to the tenant.
    func usage(_ tenant: TenantID) throws -> [(name: String, value: Int64)]
    /// Deletes the tenant and every row it owns (events, applications, jobs, outbox, users),
    /// children first. Run it in a transaction scoped to the tenant.
    func deleteWithAllData(_ tenant: TenantID) throws
    /// Removes the audit log of a deleted tenant (nothing when it is gone already).
    func purgeAuditLog(_ tenant: TenantID) throws
}
