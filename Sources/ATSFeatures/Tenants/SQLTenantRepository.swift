import ATSDomain
import ATSPersistence
import ATSSupport

/// Tenants in portable SQL: the one global table (resolving a tenant comes before there is one).
public struct SQLTenantRepository: TenantRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    private static let tenantColumns = "id, slug, name, created_at"

    private static func tenant(_ row: SQLRow) throws(SQLError) -> Tenant {
        Tenant(id: TenantID(try row.int(0)), slug: try row.text(1), name: try row.text(2), createdAt: try row.timestamp(3))
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

    public func deleteWithAllData(_ tenant: TenantID) throws {
        try TenantData.delete(tx, tenant: tenant)
    }
}
