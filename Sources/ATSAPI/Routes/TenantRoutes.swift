import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// The tenant's name and settings (API.md, Tenant settings): staff read, admins change.
struct TenantRoutes: Sendable {
    let database: any Database
    let settings: TenantSettingsService
    let directory: TenantDirectory

    func register(on router: inout Router) {
        router.add("GET", "/api/tenant", api: getTenant)
        router.add("PATCH", "/api/tenant", api: updateTenant)
    }

    /// Read from the database, not the directory's cache: what an admin just saved.
    func getTenant(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let tenant = try database.read(tenant: context.tenant.id) { work in
            try settings.find(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work))
        }
        return .json(200, Representation.tenant(tenant))
    }

    /// `{name?, settings?}`; `settings` may be partial. Every bad field is reported at
    /// once, as `settings.<field>` for a setting.
    func updateTenant(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request, emptyIsObject: true)
        let name = body.string("name", length: TenantSettingsService.nameLength) ?? nil
        let changes = body.object("settings") { reader in Self.readSettings(&reader) } ?? TenantSettingsChanges()
        try body.finish()
        let tenant = try database.transaction(tenant: context.tenant.id) { work in
            try settings.update(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), name: name, settings: changes)
        }
        // Committed: this replica's next request sees it (others within the cache's ttl).
        directory.invalidate(slug: context.tenant.slug)
        return .json(200, Representation.tenant(tenant))
    }

    static func readSettings(_ body: inout BodyReader) -> TenantSettingsChanges {
        var changes = TenantSettingsChanges()
        changes.candidateRetentionDays = body.integer("candidate_retention_days", range: TenantSettings.retentionDays, nullable: true)
        changes.requireRejectionReason = body.bool("require_rejection_reason")
        // Checked as sent (not trimmed first), as the schema's pattern says: no control
        // characters anywhere. Surrounding spaces are then dropped, and an empty name is
        // no name (MAIL_FROM's own display name, if any, applies).
        if let name = body.string("mail_from_name", length: TenantSettings.mailFromNameLength, trim: false, nullable: true) {
            if let name, !TenantSettings.isValidMailFromName(name) {
                body.fail("mail_from_name", "may not contain line breaks or other control characters")
            } else {
                changes.mailFromName = .some(name.map { $0.trimming(" ") }.flatMap { $0.isEmpty ? nil : $0 })
            }
        }
        if let address = body.string("reply_to", length: 3...254, trim: false, nullable: true) {
            if let address {
                if let valid = TenantSettings.normalizedReplyTo(address) { changes.replyTo = .some(valid) } else { body.fail("reply_to", "is not an email address") }
            } else {
                changes.replyTo = .some(nil)
            }
        }
        return changes
    }
}
