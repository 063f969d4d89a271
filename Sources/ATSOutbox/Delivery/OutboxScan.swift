import ATSDomain
import ATSSupport
import ATSFeatures
import ATSPersistence
import Synchronization

/// Walks the outbox of each active tenant (row-level security scopes every read to one
/// tenant), for the embedded dispatcher and the relay, and refreshes the backlog gauge
/// (a count per tenant, so only every tenth round).
final class OutboxScan: Sendable {
    private let database: any Database
    private let metrics: DeliveryMetrics
    private let log: NotificationDelivery.Logger
    private let rounds = Atomic<Int>(0)

    init(database: any Database, metrics: DeliveryMetrics, log: @escaping NotificationDelivery.Logger) {
        self.database = database
        self.metrics = metrics
        self.log = log
    }

    /// Calls `visit` for each tenant until `shouldStop`; returns the sum of what it returned.
    func round(shouldStop: () -> Bool, _ visit: (Tenant) throws -> Int) -> Int {
        let tenants: [Tenant]
        do {
            tenants = try database.read(tenant: nil) { try $0.tenants.list() }
        } catch {
            log("outbox: cannot list tenants", [("error", "\(error)")])
            return 0
        }
        let refreshBacklog = rounds.add(1, ordering: .relaxed).newValue % 10 == 1
        var backlog: [OutboxStatus: Int] = [:]
        var handled = 0
        // A suspended tenant's rows wait (mail and webhooks alike: every channel rides
        // this outbox); the claim refuses them too, for entries already on a stream.
        for tenant in tenants where tenant.status == .active && !shouldStop() {
            if refreshBacklog, let counts = try? database.read(tenant: tenant.id, { try $0.outbox.countByStatus(tenant.id) }) {
                backlog.merge(counts, uniquingKeysWith: +)
            }
            do {
                handled += try visit(tenant)
            } catch {
                log("outbox: cannot scan a tenant", [("tenant", tenant.slug), ("error", "\(error)")])
            }
        }
        if refreshBacklog { metrics.setBacklog(backlog) }
        return handled
    }
}
