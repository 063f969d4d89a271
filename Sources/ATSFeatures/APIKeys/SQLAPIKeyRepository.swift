import ATSDomain
import ATSPersistence
import ATSSupport

/// API keys in portable SQL (both engines).
public struct SQLAPIKeyRepository: APIKeyRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    static let keyColumns = "tenant_id, id, name, role, prefix, created_by, created_at, last_used_at"

    static func key(_ row: SQLRow, offset o: Int = 0) throws(SQLError) -> APIKey {
        guard let role = Role(rawValue: try row.text(o + 3)), APIKey.roles.contains(role) else { throw .decoding("unknown API key role") }
        return APIKey(id: try row.int(o + 1), tenantID: TenantID(try row.int(o)), name: try row.text(o + 2), role: role, prefix: try row.text(o + 4),
                      createdBy: UserID(try row.int(o + 5)), createdAt: try row.timestamp(o + 6), lastUsedAt: try row.optionalTimestamp(o + 7))
    }

    public func create(_ tenant: TenantID, _ key: NewAPIKey) throws -> APIKey? {
        try tx.run { () throws(SQLError) -> APIKey? in
            let now = tx.now()
            var names = ["tenant_id", "name", "role", "prefix", "key_hash", "created_by", "created_at"]
            var values: [SQLValue] = [.int(tenant.rawValue), .text(key.name), .text(key.role.rawValue), .text(key.prefix), .text(key.keyHash),
                                      .int(key.createdBy.rawValue), .timestamp(now)]
            if let id = try tx.reserveIDs("api_keys", count: 1) {
                names.append("id")
                values.append(.int(id))
            }
            // A prefix the tenant already has inserts nothing (no error, which would doom
            // a PostgreSQL transaction): the caller draws a new key.
            let sql = "INSERT INTO api_keys (\(names.joined(separator: ", "))) VALUES (\((1...values.count).map { "$\($0)" }.joined(separator: ", ")))"
                + " ON CONFLICT (tenant_id, prefix) DO NOTHING RETURNING id"
            guard let row = try tx.connection.queryOne(sql, values) else { return nil }
            return APIKey(id: try row.int(0), tenantID: tenant, name: key.name, role: key.role, prefix: key.prefix, createdBy: key.createdBy,
                          createdAt: now, lastUsedAt: nil)
        }
    }

    public func find(_ tenant: TenantID, id: Int64) throws -> APIKey? {
        try tx.run { () throws(SQLError) -> APIKey? in
            try tx.connection.queryOne("SELECT \(Self.keyColumns) FROM api_keys WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
                                       [.int(tenant.rawValue), .int(id)]).map { (row: SQLRow) throws(SQLError) -> APIKey in try Self.key(row) }
        }
    }

    public func list(_ tenant: TenantID, page: Page) throws -> PageResult<APIKey> {
        var condition = SQLStatement(" WHERE tenant_id = $1 AND revoked_at IS NULL")
        _ = condition.bind(.int(tenant.rawValue))
        return try tx.page("api_keys", columns: Self.keyColumns, where: condition, orderBy: "id DESC", page: page) { (row: SQLRow) throws(SQLError) -> APIKey in
            try Self.key(row)
        }
    }

    public func revoke(_ tenant: TenantID, id: Int64, at: Timestamp) throws {
        let changed = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
                                      [.int(tenant.rawValue), .int(id), .timestamp(at)])
        }
        if changed == 0 { throw StorageError.notFound }
    }

    public func findForAuthentication(_ tenant: TenantID, prefix: String) throws -> APIKeyCandidate? {
        let userColumns = SQLUserRepository.userColumns.split(separator: ",").map { "u." + $0.trimming(" ") }.joined(separator: ", ")
        let keyColumns = Self.keyColumns.split(separator: ",").map { "k." + $0.trimming(" ") }.joined(separator: ", ")
        return try tx.run { () throws(SQLError) -> APIKeyCandidate? in
            guard let row = try tx.connection.queryOne("""
                SELECT \(keyColumns), k.key_hash, \(userColumns) FROM api_keys k
                JOIN users u ON u.tenant_id = k.tenant_id AND u.id = k.created_by
                WHERE k.tenant_id = $1 AND k.prefix = $2 AND k.revoked_at IS NULL
                """, [.int(tenant.rawValue), .text(prefix)]) else { return nil }
            let creator = try SQLUserRepository.user(SQLRow(cells: Array(row.cells.dropFirst(9))))
            return APIKeyCandidate(key: try Self.key(row), keyHash: try row.text(8), creator: creator)
        }
    }

    public func recordUse(_ tenant: TenantID, id: Int64, at: Timestamp) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("UPDATE api_keys SET last_used_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
                                      [.int(tenant.rawValue), .int(id), .timestamp(at)])
        }
    }
}
