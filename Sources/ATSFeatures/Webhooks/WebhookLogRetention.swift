import ATSDomain
import ATSPersistence
import ATSSupport

/// The webhook delivery log keeps 30 days (API.md): finished deliveries older than that
/// are deleted, tenant by tenant. Idempotent, so every replica's maintenance look may run
/// it; only tenants with webhook rows cost more than an indexed probe.
public struct WebhookLogRetention: Sendable {
    public static let days: Int64 = 30

    public init() {}

    /// Rows deleted, over all tenants.
    public func sweep(_ database: any Database, now: Timestamp) throws -> Int {
        let cutoff = Timestamp(microseconds: now.microseconds - Self.days * 86_400 * 1_000_000)
        var deleted = 0
        for tenant in try database.read(tenant: nil, { try $0.tenants.list() }) {
            deleted += try database.transaction(tenant: tenant.id) { try $0.webhooks.deleteDeliveries(tenant.id, before: cutoff) }
        }
        return deleted
    }
}
