import ATSDomain
import ATSPersistence
import ATSSupport

/// Idempotency keys in portable SQL (both engines).
public struct SQLIdempotencyRepository: IdempotencyRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    public func insert(_ tenant: TenantID, caller: String, key: String, requestHash: String, now: Timestamp, expiresAt: Timestamp) throws -> Bool {
        // ON CONFLICT DO NOTHING: a key that exists must not doom a PostgreSQL transaction.
        try tx.run { () throws(SQLError) -> Bool in
            try tx.connection.execute("""
                INSERT INTO idempotency_keys (tenant_id, caller, key, request_hash, started_at, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, caller, key) DO NOTHING
                """, [.int(tenant.rawValue), .text(caller), .text(key), .text(requestHash), .timestamp(now), .timestamp(expiresAt)]) == 1
        }
    }

    public func find(_ tenant: TenantID, caller: String, key: String, now: Timestamp) throws -> IdempotencyRecord? {
        try tx.run { () throws(SQLError) -> IdempotencyRecord? in
            guard let row = try tx.connection.queryOne("""
                SELECT request_hash, status, content_type, location, etag, body, started_at FROM idempotency_keys
                WHERE tenant_id = $1 AND caller = $2 AND key = $3 AND expires_at > $4
                """, [.int(tenant.rawValue), .text(caller), .text(key), .timestamp(now)]) else { return nil }
            var response: StoredResponse?
            if let status = try row.optionalInt(1) {
                response = StoredResponse(status: Int(status), contentType: try row.optionalText(2), location: try row.optionalText(3),
                                          etag: try row.optionalText(4), body: try row.optionalText(5) ?? "")
            }
            return IdempotencyRecord(requestHash: try row.text(0), response: response, startedAt: try row.timestamp(6))
        }
    }

    public func takeOver(_ tenant: TenantID, caller: String, key: String, requestHash: String, now: Timestamp, expiresAt: Timestamp,
                         staleBefore: Timestamp) throws -> Bool {
        try tx.run { () throws(SQLError) -> Bool in
            try tx.connection.execute("""
                UPDATE idempotency_keys SET request_hash = $4, status = NULL, content_type = NULL, location = NULL, etag = NULL, body = NULL,
                    started_at = $5, expires_at = $6
                WHERE tenant_id = $1 AND caller = $2 AND key = $3 AND (expires_at <= $5 OR (status IS NULL AND started_at < $7))
                """, [.int(tenant.rawValue), .text(caller), .text(key), .text(requestHash), .timestamp(now), .timestamp(expiresAt),
                      .timestamp(staleBefore)]) == 1
        }
    }

    public func complete(_ tenant: TenantID, caller: String, key: String, response: StoredResponse) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                UPDATE idempotency_keys SET status = $4, content_type = $5, location = $6, etag = $7, body = $8
                WHERE tenant_id = $1 AND caller = $2 AND key = $3 AND status IS NULL
                """, [.int(tenant.rawValue), .text(caller), .text(key), .int(Int64(response.status)), .optional(response.contentType),
                      .optional(response.location), .optional(response.etag), .text(response.body)])
        }
    }

    public func release(_ tenant: TenantID, caller: String, key: String) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND caller = $2 AND key = $3 AND status IS NULL",
                                      [.int(tenant.rawValue), .text(caller), .text(key)])
        }
    }

    public func purge(_ tenant: TenantID, now: Timestamp) throws -> Int {
        try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("DELETE FROM idempotency_keys WHERE tenant_id = $1 AND expires_at <= $2", [.int(tenant.rawValue), .timestamp(now)])
        }
    }
}
