import ATSDomain
import ATSPersistence
import ATSSupport

/// A response kept for an idempotency key: what a replay sends again.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String?
    public var location: String?
    public var etag: String?
    public var body: String

    public init(status: Int, contentType: String?, location: String?, etag: String?, body: String) {
        self.status = status
        self.contentType = contentType
        self.location = location
        self.etag = etag
        self.body = body
    }
}

/// One idempotency key's row: the fingerprint of the first request, and its response
/// once it finished (nil while it is in flight).
public struct IdempotencyRecord: Sendable, Equatable {
    public var requestHash: String
    public var response: StoredResponse?
    public var startedAt: Timestamp

    public init(requestHash: String, response: StoredResponse?, startedAt: Timestamp) {
        self.requestHash = requestHash
        self.response = response
        self.startedAt = startedAt
    }
}

/// Idempotency keys per tenant, caller and key (`idempotency_keys`, migration 0014), in
/// the database so every replica sees the same keys.
public protocol IdempotencyRepository {
    /// Inserts an in-flight marker; false when the key already has a row (nothing changes).
    func insert(_ tenant: TenantID, caller: String, key: String, requestHash: String, now: Timestamp, expiresAt: Timestamp) throws -> Bool
    /// The key's row, unless it expired before `now`.
    func find(_ tenant: TenantID, caller: String, key: String, now: Timestamp) throws -> IdempotencyRecord?
    /// Takes over a row that expired, or whose in-flight marker started before `staleBefore`
    /// (its process died): the row becomes this request's marker. False when another took it.
    func takeOver(_ tenant: TenantID, caller: String, key: String, requestHash: String, now: Timestamp, expiresAt: Timestamp,
                  staleBefore: Timestamp) throws -> Bool
    /// Stores the response of the in-flight marker.
    func complete(_ tenant: TenantID, caller: String, key: String, response: StoredResponse) throws
    /// Drops the in-flight marker (the request failed with a 5xx, which is not kept).
    func release(_ tenant: TenantID, caller: String, key: String) throws
    /// Deletes the tenant's rows that expired before `now`; returns how many.
    func purge(_ tenant: TenantID, now: Timestamp) throws -> Int
}
