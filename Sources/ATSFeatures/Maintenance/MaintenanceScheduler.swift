import ATSDomain
import ATSPersistence
import ATSSupport
import Synchronization

/// Runs the tenants' scheduled maintenance (the retention sweep, the audit log's expiry,
/// removing expired idempotency keys) in the
/// background of `ats serve` (or `ats worker` when Redis is used). It only looks every
/// `intervalSeconds`; whether a tenant's daily run is due, and which replica does it, is
/// decided in the database (`RetentionService`), so any number of processes may run one.
public final class MaintenanceScheduler: Sendable {
    public typealias Log = @Sendable (_ message: String, _ fields: [(String, String)]) -> Void

    private let database: any Database
    private let intervalSeconds: Double
    private let holder: String
    private let clock: @Sendable () -> Timestamp
    private let log: Log
    private let thread = BackgroundThread()

    public init(database: any Database, intervalSeconds: Double = 300, holder: String, clock: @escaping @Sendable () -> Timestamp = Timestamp.now,
                log: @escaping Log = { _, _ in }) {
        self.database = database
        self.intervalSeconds = intervalSeconds
        self.holder = holder
        self.clock = clock
        self.log = log
    }

    public func start() throws {
        try thread.start(name: "ats-maintenance") { [self] in
            repeat { runOnce() } while thread.pause(intervalSeconds)
        }
    }

    public func stop() { thread.join() }

    /// One look at every tenant; errors are logged and retried at the next look.
    @discardableResult
    public func runOnce() -> [RetentionService.Run] {
        // Every replica may purge: deleting expired rows twice is harmless.
        do {
            let purged = try IdempotencyService().purgeExpired(database, now: clock())
            if purged > 0 { log("expired idempotency keys removed", [("count", String(purged))]) }
        } catch {
            log("removing expired idempotency keys failed; retrying at the next look", [("error", String(describing: error))])
        }
        expireAuditLog()
        do {
            let runs = try RetentionService().sweep(database, now: clock(), holder: holder)
            for run in runs {
                log("retention sweep", [("tenant_id", String(run.tenant.rawValue)), ("anonymized", String(run.anonymized))])
            }
            return runs
        } catch {
            log("retention sweep failed; retrying at the next look", [("error", String(describing: error))])
            return []
        }
    }

    /// When this process last looked for due audit-log expiry runs: each tenant's run is
    /// daily, so looking hourly (not at every look) spares a claim per tenant.
    private let lastAuditLook = Mutex<Timestamp?>(nil)

    /// The audit log's 400-day expiry (`AuditService.sweep`), every tenant.
    private func expireAuditLog() {
        let now = clock()
        let due = lastAuditLook.withLock { last -> Bool in
            guard last.map({ now.microseconds - $0.microseconds >= 3_600_000_000 || now < $0 }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        do {
            let tenants = try AuditService().sweep(database, now: now, holder: holder)
            if !tenants.isEmpty { log("audit log expiry", [("tenants", String(tenants.count))]) }
        } catch {
            lastAuditLook.withLock { $0 = nil }
            log("audit log expiry failed; retrying at the next look", [("error", String(describing: error))])
        }
    }
}
