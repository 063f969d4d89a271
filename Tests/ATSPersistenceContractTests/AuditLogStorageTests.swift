import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Testing

/// The audit log's storage (migration 0015): append-only for the application, kept 400
/// days, removed with its tenant, on both engines.
@Suite("Audit log storage: append-only, 400 days, gone with the tenant (both adapters)", .timeLimit(.minutes(3)))
struct AuditLogStorageTests {
    static let day: Int64 = 86_400_000_000

    private func ago(days: Int64) -> Timestamp { Timestamp(microseconds: Timestamp.now().microseconds - days * Self.day) }

    /// Runs one statement as the application (the app role on PostgreSQL).
    private func execute(_ db: any Database, tenant: TenantID, _ sql: String, _ parameters: [SQLValue] = []) throws {
        try db.withTransaction(tenant: tenant) { tx in
            _ = try tx.run { () throws(SQLError) -> Int in try tx.connection.execute(sql, parameters) }
        }
    }

    /// An entry written `days` ago (the application may insert any row; only reading and
    /// inserting are allowed).
    private func insert(_ db: any Database, tenant: TenantID, action: String, daysAgo: Int64) throws {
        try db.withTransaction(tenant: tenant) { tx in
            _ = try tx.run { () throws(SQLError) -> Int64 in
                try tx.insert(into: "audit_events", [("tenant_id", .int(tenant.rawValue)), ("action", .text(action)), ("resource_type", .text("job")),
                                                     ("created_at", .timestamp(ago(days: daysAgo))), ("changes", .text("{}"))])
            }
        }
    }

    /// How `body` failed ("not refused" when it did not).
    private func refusal(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "not refused"
        } catch {
            return String(describing: error)
        }
    }

    private func actions(_ db: any Database, tenant: TenantID) throws -> [String] {
        try db.read(tenant: tenant) { work in
            try work.auditLog.list(tenant, filter: AuditFilter(), page: Page(limit: 100)).items.map(\.action)
        }
    }

    @Test("the application can insert and read, never UPDATE or DELETE (PostgreSQL: the app role's grants; SQLite: triggers)", arguments: Backend.allCases)
    func appendOnly(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let db = test.database
        let f = try Fixture.make(db)
        _ = try db.transaction(tenant: f.tenant) {
            try JobService().create($0, tenant: f.tenant, caller: f.recruiter, NewJob(title: "T", company: "C", createdBy: f.recruiter.id))
        }
        #expect(try actions(db, tenant: f.tenant) == ["job.created"])
        // Refused for lack of the privilege (PostgreSQL: 42501, permission denied for the
        // app role), or by the append-only triggers (SQLite), not by any other error.
        let update = refusal { try execute(db, tenant: f.tenant, "UPDATE audit_events SET action = 'job.deleted' WHERE tenant_id = $1", [.int(f.tenant.rawValue)]) }
        let delete = refusal { try execute(db, tenant: f.tenant, "DELETE FROM audit_events WHERE tenant_id = $1", [.int(f.tenant.rawValue)]) }
        #expect(update.contains(backend == .postgres ? "permission denied" : "append-only"), "UPDATE refused: \(update)")
        #expect(delete.contains(backend == .postgres ? "permission denied" : "kept 400 days"), "DELETE refused: \(delete)")
        // The expiry cannot be talked into removing a young entry (a cutoff in the future).
        try db.transaction(tenant: f.tenant) { try $0.auditLog.expire(f.tenant, before: Timestamp(microseconds: Timestamp.now().microseconds + Self.day)) }
        #expect(try actions(db, tenant: f.tenant) == ["job.created"])
        if backend == .postgres {
            #expect(throws: (any Error).self, "TRUNCATE refused") { try execute(db, tenant: f.tenant, "TRUNCATE audit_events") }
            #expect(throws: (any Error).self, "the purge refuses a tenant that still exists") {
                try execute(db, tenant: f.tenant, "SELECT audit_events_purge_tenant($1)", [.int(f.tenant.rawValue)])
            }
            // Not even the owner updates it (a trigger).
            let owner = try #require(test.ownerDatabase)
            #expect(throws: (any Error).self, "UPDATE refused to the owner too") {
                try execute(owner, tenant: f.tenant, "UPDATE audit_events SET action = 'job.deleted' WHERE tenant_id = $1", [.int(f.tenant.rawValue)])
            }
        }
        #expect(try actions(db, tenant: f.tenant) == ["job.created"])
    }

    @Test("kept 400 days: the daily sweep removes older entries only, once a day per tenant, every tenant", arguments: Backend.allCases)
    func retention(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let db = test.database
        let f = try Fixture.make(db), other = try Fixture.make(db)
        for tenant in [f.tenant, other.tenant] {
            try insert(db, tenant: tenant, action: "job.created", daysAgo: 401)
            try insert(db, tenant: tenant, action: "job.updated", daysAgo: 399)
        }
        let now = Timestamp.now()
        let ran = try AuditService().sweep(db, now: now, holder: "a")
        #expect(Set(ran).isSuperset(of: [f.tenant, other.tenant]), "every tenant, with or without a candidate retention setting")
        #expect(try actions(db, tenant: f.tenant) == ["job.updated"] && actions(db, tenant: other.tenant) == ["job.updated"])
        try insert(db, tenant: f.tenant, action: "job.deleted", daysAgo: 500)
        #expect(try AuditService().sweep(db, now: now, holder: "b").isEmpty, "not due again the same day")
        #expect(try actions(db, tenant: f.tenant).count == 2)
        #expect(try AuditService().sweep(db, now: Timestamp(microseconds: now.microseconds + Self.day + 1), holder: "b").contains(f.tenant))
        #expect(try actions(db, tenant: f.tenant) == ["job.updated"])
    }

    @Test("tenant deletion removes its audit log (after the tenant row), and export includes it", arguments: Backend.allCases)
    func tenantDeletion(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let db = test.database
        let tenant = try TenantService().create(db, slug: "acme", name: "Acme")
        let keep = try Fixture.make(db)
        for id in [tenant.id, keep.tenant] { try insert(db, tenant: id, action: "job.created", daysAgo: 1) }
        let export = try TenantService().export(db, slug: "acme")
        guard case .array(let rows)? = export["audit_events"] else { Issue.record("no audit_events in the export"); return }
        #expect(rows.count == 1 && rows.first?["action"] == .string("job.created"))
        try TenantService().delete(db, slug: "acme", confirmation: "acme", defaultTenant: "default")
        let left = try db.read(tenant: tenant.id) {
            try $0.transaction.connection.queryOne("SELECT count(*) FROM audit_events WHERE tenant_id = $1", [.int(tenant.id.rawValue)])?.int(0)
        }
        #expect(left == 0)
        #expect(try actions(db, tenant: keep.tenant) == ["job.created"], "other tenants keep theirs")
    }
}
