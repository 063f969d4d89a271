import ATSDomain
import ATSSupport
import Synchronization

/// Requests per tenant over the last 24 hours (the operator's `requests_24h`), counted
/// in this process's memory in hourly buckets: cheap enough for every request, and
/// lost on restart. With N replicas each counts its own share (docs/api-reference.md, Operators).
final class TenantRequestCounter: Sendable {
    static let hours = 24

    private struct Buckets {
        /// The hour (unix seconds / 3600) each slot counts, and its count.
        var hour = [Int64](repeating: -1, count: TenantRequestCounter.hours)
        var count = [Int](repeating: 0, count: TenantRequestCounter.hours)
    }

    private let state = Mutex<[TenantID: Buckets]>([:])
    private let clock: @Sendable () -> Int64

    init(clock: @escaping @Sendable () -> Int64 = { Timestamp.now().unixSeconds }) { self.clock = clock }

    func count(_ tenant: TenantID) {
        let hour = clock() / 3600
        let slot = Int(hour % Int64(Self.hours))
        state.withLock { tenants in
            // Counted in place (no copy of the arrays on a write through the dictionary).
            if tenants[tenant] == nil { tenants[tenant] = Buckets() }
            if tenants[tenant]?.hour[slot] != hour {
                tenants[tenant]?.hour[slot] = hour
                tenants[tenant]?.count[slot] = 0
            }
            tenants[tenant]?.count[slot] += 1
        }
    }

    /// Requests in the current hour and the 23 before it.
    func last24Hours(_ tenant: TenantID) -> Int {
        let now = clock() / 3600
        return state.withLock { tenants in
            guard let buckets = tenants[tenant] else { return 0 }
            var total = 0
            for i in 0..<Self.hours where buckets.hour[i] > now - Int64(Self.hours) { total += buckets.count[i] }
            return total
        }
    }

    /// Forgets a deleted tenant.
    func forget(_ tenant: TenantID) { _ = state.withLock { $0.removeValue(forKey: tenant) } }
}
