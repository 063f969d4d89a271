import ATSDomain
import ATSPersistence
import ATSSupport

/// Tenants as the operator manages them: the CLI (`ats tenant`) and the operator API.
public struct TenantService: Sendable {
    public init() {}

    /// The first admin of a tenant the operator creates: invited by mail to set a password.
    public struct FirstAdmin: Sendable {
        public var email: String
        public var fullName: String?
        public var invitations: AccountService

        public init(email: String, fullName: String?, invitations: AccountService) {
            self.email = email
            self.fullName = fullName
            self.invitations = invitations
        }
    }

    public func create(_ database: any Database, slug: String, name: String, admin: FirstAdmin? = nil) throws -> Tenant {
        guard Tenant.isValidSlug(slug) else { throw DomainError.conflict("'\(slug)' is not a tenant slug ([a-z0-9][a-z0-9-]{1,62})") }
        let name = name.trimming(" \t")
        guard (1...200).contains(name.unicodeScalars.count) else { throw DomainError.conflict("the name must be 1 to 200 characters") }
        // The tenant, its pipeline template, and its admin with the invitation commit
        // together: written with the transaction scoped to the new tenant (row-level security).
        return try database.transaction(tenant: nil) { work in
            let tenant = try work.tenants.create(slug: slug, name: name)
            try work.transaction.scope(to: tenant.id)
            try work.pipelines.createTemplate(tenant.id, .standard)
            try RejectionReasonService().createDefaults(work, tenant: tenant.id)
            if let admin {
                let user = try work.users.create(tenant.id, NewUser(email: admin.email, passwordHash: "", fullName: admin.fullName, role: .admin))
                try admin.invitations.invite(work, tenant: tenant, user: user, by: nil)
            }
            return tenant
        }
    }

    /// Renames and/or activates or suspends a tenant. A suspended tenant's requests are
    /// refused and its outbox waits (mail, and webhooks through the same outbox).
    public func update(_ database: any Database, slug: String, name: String?, status: TenantStatus?) throws -> Tenant {
        let tenant = try find(database, slug: slug)
        if let name, !TenantSettingsService.nameLength.contains(name.unicodeScalars.count) {
            throw DomainError.invalid(field: "name", "must be 1 to 200 characters")
        }
        do {
            return try database.transaction(tenant: nil) { work in
                var updated = tenant
                if let name { updated = try work.tenants.update(id: tenant.id, name: name, settings: TenantSettingsChanges()) }
                if let status, status != updated.status { updated = try work.tenants.setStatus(id: tenant.id, status) }
                return updated
            }
        } catch StorageError.notFound {
            throw DomainError.notFound("no tenant '\(slug)'")
        }
    }

    /// The operator's usage counts by name (`TenantRepository.usage`).
    public func usage(_ database: any Database, tenant: Tenant) throws -> [(name: String, value: Int64)] {
        try database.read(tenant: tenant.id) { try $0.tenants.usage(tenant.id) }
    }

    public func list(_ database: any Database) throws -> [Tenant] {
        try database.read(tenant: nil) { try $0.tenants.list() }
    }

    public func find(_ database: any Database, slug: String) throws -> Tenant {
        guard let tenant = try database.read(tenant: nil, { try $0.tenants.find(slug: slug) }) else { throw DomainError.notFound("no tenant '\(slug)'") }
        return tenant
    }

    /// Everything the tenant owns, as one JSON document: the tenant, then every table of
    /// `TenantData` by name (without secrets such as password hashes), in one snapshot.
    public func export(_ database: any Database, slug: String, now: Timestamp = .now()) throws -> JSONValue {
        let tenant = try find(database, slug: slug)
        let tables = try database.read(tenant: tenant.id) { try TenantData.export($0.transaction, tenant: tenant.id) }
        return .object([
            ("tenant", .object([("id", .int(tenant.id.rawValue)), ("slug", .string(tenant.slug)), ("name", .string(tenant.name)),
                                ("created_at", .string(tenant.createdAt.rfc3339)), ("settings", tenant.settings.json)])),
            ("exported_at", .string(now.rfc3339)),
        ] + tables.map { ($0.table, JSONValue.array($0.rows)) })
    }

    /// Deletes a tenant and all its data in one transaction. The slug is confirmed by
    /// repeating it, and the default tenant (which must always exist) is refused.
    public func delete(_ database: any Database, slug: String, confirmation: String, defaultTenant: String) throws {
        guard slug == confirmation else { throw DomainError.conflict("--confirm must repeat the slug '\(slug)' exactly") }
        guard slug != defaultTenant else {
            throw DomainError.conflict("'\(slug)' is ATS_DEFAULT_TENANT; point ATS_DEFAULT_TENANT elsewhere before deleting it")
        }
        let tenant = try find(database, slug: slug)
        try database.transaction(tenant: tenant.id) { try $0.tenants.deleteWithAllData(tenant.id) }
        // Done in the same transaction except on Citus (see TenantData.delete); a no-op then.
        try database.transaction(tenant: tenant.id) { try $0.tenants.purgeAuditLog(tenant.id) }
    }
}

extension TenantSettings {
    /// `{candidate_retention_days, require_rejection_reason, mail_from_name, reply_to}`
    /// (API.md, Tenant settings): the API's and the export's shape.
    public var json: JSONValue {
        .object([
            ("candidate_retention_days", candidateRetentionDays.map { .int(Int64($0)) } ?? .null),
            ("require_rejection_reason", .bool(requireRejectionReason)),
            ("mail_from_name", mailFromName.map(JSONValue.string) ?? .null),
            ("reply_to", replyTo.map(JSONValue.string) ?? .null),
        ])
    }
}
