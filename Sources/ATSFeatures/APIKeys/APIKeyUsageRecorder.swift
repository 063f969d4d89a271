import ATSDomain
import ATSPersistence
import ATSSupport
import Synchronization

/// Records when keys were last used, outside the request's own transaction (which may
/// be read-only) and throttled: at most one UPDATE per key per `interval` in this
/// process, so `last_used_at` is exact to about a minute (per replica) and a busy
/// integration costs one small write a minute, not one per request.
public final class APIKeyUsageRecorder: Sendable {
    private let interval: Double
    /// Key id → when this process last recorded it (monotonic seconds).
    private let recorded = Mutex<[Int64: Double]>([:])

    public init(interval: Double = 60) { self.interval = interval }

    /// Whether a use of `key` now should be written (and, if so, claims the slot).
    func claim(_ key: Int64, now: Double) -> Bool {
        recorded.withLock { recorded in
            if let last = recorded[key], now - last < interval { return false }
            if recorded.count > 100_000 { recorded.removeAll() }  // bounded, whatever the number of keys
            recorded[key] = now
            return true
        }
    }

    /// Writes `last_used_at` unless this key was recorded less than `interval` ago.
    /// Failing to record is not the request's failure: it is logged by the caller and
    /// the next use after the interval tries again.
    public func used(_ database: any Database, tenant: TenantID, key: Int64) throws {
        guard claim(key, now: MonotonicClock.seconds()) else { return }
        do {
            try database.transaction(tenant: tenant) { work in try work.apiKeys.recordUse(tenant, id: key, at: work.transaction.now()) }
        } catch {
            _ = recorded.withLock { $0.removeValue(forKey: key) }
            throw error
        }
    }
}
