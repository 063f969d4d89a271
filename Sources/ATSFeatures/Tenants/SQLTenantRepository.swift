import ATSDomain
import ATSPersistence
import ATSSupport

/// Tenants in portable SQL: the one global table (resolving a tenant comes before there is one).
public struct SQLTenantRepository: TenantRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    private static let tenantColumns = "id, slug, name, created_at, candidate_retention_days, require_rejection_reason, mail_from_name, reply_to, status"

    private static func tenant(_ row: SQLRow) throws(SQLError) -> Tenant {
        let settings = TenantSettings(candidateRetentionDays: try row.optionalInt(4).map { Int($0) }, requireRejectionReason: try row.bool(5),
                                      mailFromName: try row.optionalText(6), replyTo: try row.optionalText(7))
        // An unknown status (a newer schema) is taken as suspended: it must not open a tenant.
        let status = TenantStatus(rawValue: try row.text(8)) ?? .suspended
        return Tenant(id: TenantID(try row.int(0)), slug: try row.text(1), name: try row.text(2), createdAt: try row.timestamp(3), settings: settings,
                      status: status)
    }

    public func create(slug: String, name: String) throws -> Tenant {
        try tx.run(unique: .duplicateSlug) { () throws(SQLError) -> Tenant in
            let now = tx.now()
            let id = try tx.insert(into: "tenants", [("slug", .text(slug)), ("name", .text(name)), ("created_at", .timestamp(now))])
            return Tenant(id: TenantID(id), slug: slug, name: name, createdAt: now)
        }
    }

    public func find(slug: String) throws -> Tenant? {
        try tx.run { () throws(SQLError) -> Tenant? in
            try tx.connection.queryOne("SELECT \(Self.tenantColumns) FROM tenants WHERE slug = $1", [.text(slug)]).map(Self.tenant)
        }
    }

    public func find(id: TenantID) throws -> Tenant? {
        try tx.run { () throws(SQLError) -> Tenant? in
            try tx.connection.queryOne("SELECT \(Self.tenantColumns) FROM tenants WHERE id = $1", [.int(id.rawValue)]).map(Self.tenant)
        }
    }

    public func list() throws -> [Tenant] {
        try tx.run { () throws(SQLError) -> [Tenant] in
            var result: [Tenant] = []
            for row in try tx.connection.query("SELECT \(Self.tenantColumns) FROM tenants ORDER BY id", []) { result.append(try Self.tenant(row)) }
            return result
        }
    }

    public func update(id: TenantID, name: String?, settings: TenantSettingsChanges) throws -> Tenant {
        var statement = SQLStatement("UPDATE tenants SET ")
        var sets: [String] = []
        if let name { sets.append("name = \(statement.bind(.text(name)))") }
        if let days = settings.candidateRetentionDays {
            sets.append("candidate_retention_days = \(statement.bind(days.map { .int(Int64($0)) } ?? .null))")
        }
        if let required = settings.requireRejectionReason { sets.append("require_rejection_reason = \(statement.bind(.bool(required)))") }
        if let name = settings.mailFromName { sets.append("mail_from_name = \(statement.bind(.optional(name)))") }
        if let replyTo = settings.replyTo { sets.append("reply_to = \(statement.bind(.optional(replyTo)))") }
        guard !sets.isEmpty else {
            guard let tenant = try find(id: id) else { throw StorageError.notFound }
            return tenant
        }
        statement.append(sets.joined(separator: ", "))
        statement.append(" WHERE id = \(statement.bind(.int(id.rawValue))) RETURNING \(Self.tenantColumns)")
        let row = try tx.run { () throws(SQLError) -> SQLRow? in try tx.connection.queryOne(statement.sql, statement.parameters) }
        guard let row else { throw StorageError.notFound }
        return try tx.run { () throws(SQLError) -> Tenant in try Self.tenant(row) }
    }

    public func setStatus(id: TenantID, _ status: TenantStatus) throws -> Tenant {
        let row = try tx.run { () throws(SQLError) -> SQLRow? in
            try tx.connection.queryOne("UPDATE tenants SET status = $1 WHERE id = $2 RETURNING \(Self.tenantColumns)", [.text(status.rawValue), .int(id.rawValue)])
        }
        guard let row else { throw StorageError.notFound }
        return try tx.run { () throws(SQLError) -> Tenant in try Self.tenant(row) }
    }

    /// What the operator's usage report counts, one scalar subquery each, in one
    /// statement. A new measure is one line here (and a field of `TenantUsage`); the
    /// documents table (another feature) adds `documents_bytes` as
    /// `SELECT COALESCE(sum(size), 0) FROM documents WHERE tenant_id = $1`; until then it is 0.
    static let usageMeasures: [(name: String, sql: String)] = [
        ("users", "SELECT count(*) FROM users WHERE tenant_id = $1 AND role IN ('recruiter', 'admin') AND is_active"),
        ("candidates", "SELECT count(*) FROM users WHERE tenant_id = $1 AND role = 'candidate' AND anonymized_at IS NULL"),
        ("jobs", "SELECT count(*) FROM jobs WHERE tenant_id = $1"),
        ("applications", "SELECT count(*) FROM applications WHERE tenant_id = $1"),
        ("documents_bytes", "SELECT 0"),
    ]

    public func usage(_ tenant: TenantID) throws -> [(name: String, value: Int64)] {
        let sql = "SELECT " + Self.usageMeasures.map { "(\($0.sql))" }.joined(separator: ", ")
        return try tx.run { () throws(SQLError) -> [(name: String, value: Int64)] in
            guard let row = try tx.connection.queryOne(sql, [.int(tenant.rawValue)]) else { return [] }
            var values: [(name: String, value: Int64)] = []
            for (i, measure) in Self.usageMeasures.enumerated() { values.append((measure.name, try row.int(i))) }
            return values
        }
    }

    public func deleteWithAllData(_ tenant: TenantID) throws {
        try TenantData.delete(tx, tenant: tenant)
    }

    public func purgeAuditLog(_ tenant: TenantID) throws {
        try TenantData.purgeAuditLog(tx, tenant: tenant)
    }
}
