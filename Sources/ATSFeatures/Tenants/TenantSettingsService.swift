import ATSDomain
import ATSPersistence
import ATSSupport

/// A tenant's own view of itself (API.md, Tenant settings): staff read the name and
/// settings, admins change them. Every value is checked here too (the routes report
/// each bad field first), so no caller can store a header-breaking mail setting.
public struct TenantSettingsService: Sendable {
    public init() {}

    public static let nameLength = 1...200

    public func find(_ work: UnitOfWork, tenant: TenantID, caller: User) throws -> Tenant {
        try Access.require(caller, Access.staff)
        guard let found = try work.tenants.find(id: tenant) else { throw DomainError.notFound("No such tenant.") }
        return found
    }

    /// `name` and the settings given change; the others stay.
    public func update(_ work: UnitOfWork, tenant: TenantID, caller: User, name: String?, settings: TenantSettingsChanges) throws -> Tenant {
        try Access.require(caller, [.admin])
        if let name, !Self.nameLength.contains(name.unicodeScalars.count) { throw DomainError.invalid(field: "name", "must be 1 to 200 characters") }
        if case .some(.some(let days)) = settings.candidateRetentionDays, !TenantSettings.retentionDays.contains(days) {
            throw DomainError.invalid(field: "settings.candidate_retention_days", "must be between 30 and 3650, or null")
        }
        if case .some(.some(let name)) = settings.mailFromName, !TenantSettings.isValidMailFromName(name) {
            throw DomainError.invalid(field: "settings.mail_from_name", "must be at most 100 characters without control characters")
        }
        if case .some(.some(let address)) = settings.replyTo, TenantSettings.normalizedReplyTo(address) != address.lowercased() {
            throw DomainError.invalid(field: "settings.reply_to", "must be an email address")
        }
        guard let old = try work.tenants.find(id: tenant) else { throw DomainError.notFound("No such tenant.") }
        let updated: Tenant
        do {
            updated = try work.tenants.update(id: tenant, name: name, settings: settings)
        } catch StorageError.notFound {
            throw DomainError.notFound("No such tenant.")
        }
        try work.audit(tenant, .tenantUpdated, tenant, by: caller, .diff(old.auditFields, updated.auditFields))
        return updated
    }
}
