import ATSDomain
import ATSPersistence
import ATSSupport

/// Password tokens in portable SQL (both engines).
public struct SQLPasswordTokenRepository: PasswordTokenRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    static let columns = "id, user_id, purpose, expires_at, used_at, created_at"

    static func token(_ row: SQLRow) throws(SQLError) -> PasswordToken {
        guard let purpose = PasswordTokenPurpose(rawValue: try row.text(2)) else { throw .decoding("unknown token purpose") }
        return PasswordToken(id: try row.int(0), userID: UserID(try row.int(1)), purpose: purpose, expiresAt: try row.timestamp(3),
                             usedAt: try row.optionalTimestamp(4), createdAt: try row.timestamp(5))
    }

    public func create(_ tenant: TenantID, userID: UserID, purpose: PasswordTokenPurpose, tokenHash: String, expiresAt: Timestamp) throws -> PasswordToken {
        try tx.run { () throws(SQLError) -> PasswordToken in
            let now = tx.now()
            let id = try tx.insert(into: "password_tokens", [
                ("tenant_id", .int(tenant.rawValue)), ("user_id", .int(userID.rawValue)), ("purpose", .text(purpose.rawValue)),
                ("token_hash", .text(tokenHash)), ("expires_at", .timestamp(expiresAt)), ("created_at", .timestamp(now)),
            ])
            return PasswordToken(id: id, userID: userID, purpose: purpose, expiresAt: expiresAt, usedAt: nil, createdAt: now)
        }
    }

    public func countIssued(_ tenant: TenantID, userID: UserID, purpose: PasswordTokenPurpose, since: Timestamp) throws -> Int {
        try tx.run { () throws(SQLError) -> Int in
            // SQLite's single writer already serializes these transactions.
            if tx.connection.dialect == .postgres {
                _ = try tx.connection.query("SELECT id FROM users WHERE tenant_id = $1 AND id = $2 FOR UPDATE", [.int(tenant.rawValue), .int(userID.rawValue)])
            }
            let row = try tx.connection.queryOne("""
                SELECT count(*) FROM password_tokens WHERE tenant_id = $1 AND user_id = $2 AND purpose = $3 AND created_at > $4
                """, [.int(tenant.rawValue), .int(userID.rawValue), .text(purpose.rawValue), .timestamp(since)])
            return Int(try row?.int(0) ?? 0)
        }
    }

    public func findUsable(_ tenant: TenantID, tokenHash: String, now: Timestamp) throws -> PasswordToken? {
        try tx.run { () throws(SQLError) -> PasswordToken? in
            try tx.connection.queryOne("""
                SELECT \(Self.columns) FROM password_tokens
                WHERE tenant_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3
                """, [.int(tenant.rawValue), .text(tokenHash), .timestamp(now)]).map(Self.token)
        }
    }

    public func redeem(_ tenant: TenantID, tokenHash: String, now: Timestamp) throws -> PasswordToken? {
        try tx.run { () throws(SQLError) -> PasswordToken? in
            try tx.connection.queryOne("""
                UPDATE password_tokens SET used_at = $3
                WHERE tenant_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3
                RETURNING \(Self.columns)
                """, [.int(tenant.rawValue), .text(tokenHash), .timestamp(now)]).map(Self.token)
        }
    }

    public func consumeAll(_ tenant: TenantID, userID: UserID, now: Timestamp) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("UPDATE password_tokens SET used_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND used_at IS NULL",
                                      [.int(tenant.rawValue), .int(userID.rawValue), .timestamp(now)])
        }
    }
}
