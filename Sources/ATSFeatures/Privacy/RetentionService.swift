import ATSDomain
import ATSPersistence
import ATSSupport

/// The daily retention sweep (API.md, Privacy): in each tenant with
/// `candidate_retention_days`, candidates with no open application and no activity for
/// that many days are anonymized. Once per day per tenant across all replicas: the run
/// is leased in `tenant_tasks`, so any number of processes may call `sweep` and one does
/// the work; a process that dies mid-run leaves a lease that expires, and the next one
/// finishes (anonymizing is idempotent).
public struct RetentionService: Sendable {
    public static let task = "retention"
    /// How long a run may hold its lease before another replica may take over.
    public static let leaseSeconds: Int64 = 15 * 60
    static let batch = 100
    static let day: Int64 = 86_400

    let privacy = PrivacyService()
    public init() {}

    /// What one call did, per tenant it ran for.
    public struct Run: Sendable, Equatable {
        public let tenant: TenantID
        public let anonymized: Int

        public init(tenant: TenantID, anonymized: Int) {
            self.tenant = tenant
            self.anonymized = anonymized
        }
    }

    /// Sweeps every tenant whose run is due at `now` and not held by another replica;
    /// `holder` names this process in the lease.
    public func sweep(_ database: any Database, now: Timestamp, holder: String) throws -> [Run] {
        var runs: [Run] = []
        for policy in try database.read(tenant: nil, { try $0.retention.policies() }) {
            if let count = try sweep(database, tenant: policy.tenant, days: policy.days, now: now, holder: holder) {
                runs.append(Run(tenant: policy.tenant, anonymized: count))
            }
        }
        return runs
    }

    /// One tenant's run: nil when it is not due or another replica holds it.
    public func sweep(_ database: any Database, tenant: TenantID, days: Int, now: Timestamp, holder: String) throws -> Int? {
        let leaseUntil = Timestamp(microseconds: now.microseconds + Self.leaseSeconds * 1_000_000)
        let claimed = try database.transaction(tenant: tenant) {
            try $0.tenantTasks.claim(tenant, task: Self.task, now: now, leaseUntil: leaseUntil, holder: holder)
        }
        guard claimed else { return nil }
        let cutoff = Timestamp(microseconds: now.microseconds - Int64(days) * Self.day * 1_000_000)
        var anonymized = 0
        // Small transactions: a long sweep never holds many rows locked at once.
        while true {
            let done = try database.transaction(tenant: tenant) { work -> Int in
                let ids = try work.retention.expired(tenant, cutoff: cutoff, limit: Self.batch)
                for id in ids { _ = try privacy.anonymize(work, tenant: tenant, candidate: id) }
                return ids.count
            }
            anonymized += done
            if done < Self.batch { break }
        }
        try database.transaction(tenant: tenant) {
            try $0.tenantTasks.complete(tenant, task: Self.task, holder: holder, now: now,
                                        nextDue: Timestamp(microseconds: now.microseconds + Self.day * 1_000_000))
        }
        return anonymized
    }
}
