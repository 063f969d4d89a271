import ATSAuth
import ATSDomain
import ATSPersistence
import ATSSupport

/// The rules of idempotency keys (API.md, Idempotency keys): the first request with a
/// key runs and its response (below 500) is kept 24 h per tenant, caller and key; a
/// repeat of the same request gets that response again, a different request with the
/// key is refused, and a repeat while the first still runs is refused as a conflict.
/// The marker is committed before the work starts, so parallel repeats on any replica
/// find it and exactly one request does the work.
public struct IdempotencyService: Sendable {
    public static let lifetimeSeconds: Int64 = 24 * 3600
    /// An in-flight marker older than this belongs to a process that died mid-request
    /// (no request runs that long: statement and body timeouts are far shorter); a
    /// repeat may then run the request again.
    public static let abandonedAfterSeconds: Int64 = 300

    public enum Start: Sendable, Equatable {
        /// This request holds the key: run it, then `finish`.
        case proceed
        /// The key's first request finished with this response: send it again.
        case replay(StoredResponse)
        /// The first request with the key is still running.
        case inFlight
        /// The key was used for a different method, path or body.
        case mismatch
    }

    public init() {}

    /// 1–255 visible ASCII characters (`%x21-7E`).
    public static func isValidKey(_ key: String) -> Bool {
        let bytes = key.utf8
        return (1...255).contains(bytes.count) && bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }

    /// What "the same request" means: the SHA-256 of the method, the target (path and
    /// query) and the body bytes.
    public static func fingerprint(method: String, target: String, body: [UInt8]) -> String {
        Sodium.sha256Hex(bytes: Array("\(method) \(target)\n".utf8) + body)
    }

    public func begin(_ database: any Database, tenant: TenantID, caller: String, key: String, requestHash: String) throws -> Start {
        try database.transaction(tenant: tenant) { work in
            let repository = work.idempotency
            let now = work.transaction.now()
            let expires = Timestamp(microseconds: now.microseconds + Self.lifetimeSeconds * 1_000_000)
            if try repository.insert(tenant, caller: caller, key: key, requestHash: requestHash, now: now, expiresAt: expires) { return .proceed }
            let abandoned = Timestamp(microseconds: now.microseconds - Self.abandonedAfterSeconds * 1_000_000)
            if let record = try repository.find(tenant, caller: caller, key: key, now: now) {
                guard record.requestHash == requestHash else { return .mismatch }
                if let response = record.response { return .replay(response) }
                guard record.startedAt < abandoned else { return .inFlight }
            }
            // Expired (not yet purged) or abandoned: take the row over, unless a parallel
            // repeat just did.
            return try repository.takeOver(tenant, caller: caller, key: key, requestHash: requestHash, now: now, expiresAt: expires,
                                           staleBefore: abandoned) ? .proceed : .inFlight
        }
    }

    /// Keeps the response of the request that held the key, or with nil (a 5xx, not
    /// kept) frees the key for a retry.
    public func finish(_ database: any Database, tenant: TenantID, caller: String, key: String, response: StoredResponse?) throws {
        try database.transaction(tenant: tenant) { work in
            if let response {
                try work.idempotency.complete(tenant, caller: caller, key: key, response: response)
            } else {
                try work.idempotency.release(tenant, caller: caller, key: key)
            }
        }
    }

    /// Deletes expired keys in every tenant (the maintenance sweep); returns how many.
    @discardableResult
    public func purgeExpired(_ database: any Database, now: Timestamp) throws -> Int {
        var purged = 0
        for tenant in try database.read(tenant: nil, { try $0.tenants.list() }) {
            purged += try database.transaction(tenant: tenant.id) { try $0.idempotency.purge(tenant.id, now: now) }
        }
        return purged
    }
}
