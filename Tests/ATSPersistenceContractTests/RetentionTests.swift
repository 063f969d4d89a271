import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Synchronization
import Testing

@Suite("Retention sweep: once per day per tenant, by a lease in the database (both adapters)", .timeLimit(.minutes(3)))
struct RetentionTests {
    static let day: Int64 = 86_400_000_000

    private func later(_ t: Timestamp, days: Double) -> Timestamp { Timestamp(microseconds: t.microseconds + Int64(days * Double(Self.day))) }

    /// Writes a column the API sets elsewhere (the tenant's setting, a sign-in time).
    private func execute(_ db: any Database, tenant: TenantID?, _ sql: String, _ parameters: [SQLValue]) throws {
        try db.withTransaction(tenant: tenant) { tx in
            _ = try tx.run { () throws(SQLError) -> Int in try tx.connection.execute(sql, parameters) }
        }
    }

    private func anonymized(_ db: any Database, _ tenant: TenantID, _ id: UserID) throws -> Bool {
        try db.read(tenant: tenant) { try $0.users.find(tenant, id: id) }?.anonymizedAt != nil
    }

    @Test("who is swept: idle candidates without open applications; not the active, not those in process, not other tenants", arguments: Backend.allCases)
    func whoIsSwept(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let db = test.database
        let f = try Fixture.make(db)
        let other = try Fixture.make(db)
        try execute(db, tenant: nil, "UPDATE tenants SET candidate_retention_days = 30 WHERE id = $1", [.int(f.tenant.rawValue)])
        // Through the service, as the API does: the job gets its pipeline (which says
        // which stages are terminal).
        let job = try db.transaction(tenant: f.tenant) {
            try JobService().create($0, tenant: f.tenant, caller: f.recruiter,
                                    NewJob(title: "Engineer", company: "Acme", description: nil, location: nil, status: .open, createdBy: f.recruiter.id))
        }
        let idle = try f.candidate(1), inProcess = try f.candidate(2), hired = try f.candidate(3), recentlyActive = try f.candidate(4)
        let (inProcessApp, hiredApp) = try db.transaction(tenant: f.tenant) { work in
            (try work.applications.create(f.tenant, NewApplication(jobID: job.id, candidateID: inProcess.id), actor: inProcess.id),
             try work.applications.create(f.tenant, NewApplication(jobID: job.id, candidateID: hired.id, coverLetter: "Hello"), actor: hired.id))
        }
        _ = inProcessApp
        var stage = Stage.applied
        for next in [Stage.screening, .interview, .offer, .hired] {
            _ = try db.transaction(tenant: f.tenant) { work in
                try work.applications.changeStage(f.tenant, id: hiredApp.id, from: stage, to: next, expectedVersion: try work.applications.find(f.tenant, id: hiredApp.id)?.version ?? 0,
                                                  actor: f.recruiter.id, note: nil)
            }
            stage = next
        }
        let now = Timestamp.now()
        try execute(db, tenant: f.tenant, "UPDATE users SET last_active_at = $3 WHERE tenant_id = $1 AND id = $2",
                    [.int(f.tenant.rawValue), .int(recentlyActive.id.rawValue), .timestamp(later(now, days: 20))])

        // 29 days on: nobody is past 30 days yet.
        #expect(try RetentionService().sweep(db, now: later(now, days: 29), holder: "a") == [RetentionService.Run(tenant: f.tenant, anonymized: 0)])
        // The run is daily: 31 days on, the next run is due.
        let runs = try RetentionService().sweep(db, now: later(now, days: 31), holder: "a")
        #expect(runs == [RetentionService.Run(tenant: f.tenant, anonymized: 3)], "idle, hired and the fixture's own idle candidate")
        #expect(try anonymized(db, f.tenant, idle.id) && anonymized(db, f.tenant, hired.id) && anonymized(db, f.tenant, f.candidate.id))
        #expect(try !anonymized(db, f.tenant, inProcess.id), "an application in a non-terminal stage keeps the candidate")
        #expect(try !anonymized(db, f.tenant, recentlyActive.id), "signed in within the period")
        #expect(try !anonymized(db, other.tenant, other.candidate.id), "a tenant without the setting is never swept")
        let hiredAfter = try db.read(tenant: f.tenant) { try $0.applications.find(f.tenant, id: hiredApp.id) }
        #expect(hiredAfter?.stage == .hired && hiredAfter?.coverLetter == nil, "the application stays for reports, without its text")
    }

    @Test("once per day per tenant across replicas: a second replica finds it done or leased; a dead holder's lease expires", arguments: Backend.allCases)
    func oncePerDay(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let db = test.database
        let f = try Fixture.make(db)
        try execute(db, tenant: nil, "UPDATE tenants SET candidate_retention_days = 30 WHERE id = $1", [.int(f.tenant.rawValue)])
        let now = Timestamp.now()
        let service = RetentionService()

        // Two replicas at the same moment: exactly one runs.
        let total = Atomic<Int>(0)
        let threads = try (0..<4).map { n in
            try OSThread(name: "sweep-\(n)") {
                let runs = (try? service.sweep(db, now: now, holder: "replica-\(n)")) ?? []
                total.add(runs.count, ordering: .relaxed)
            }
        }
        threads.forEach { $0.join() }
        #expect(total.load(ordering: .relaxed) == 1)
        // Later the same day: not due.
        #expect(try service.sweep(db, now: later(now, days: 0.5), holder: "b").isEmpty)
        // A day later it is due again, once.
        #expect(try service.sweep(db, now: later(now, days: 1.01), holder: "b").count == 1)
        #expect(try service.sweep(db, now: later(now, days: 1.02), holder: "c").isEmpty)

        // A replica that dies holding the lease: nobody else runs until it expires.
        let due = later(now, days: 2.1)
        #expect(try db.transaction(tenant: f.tenant) {
            try $0.tenantTasks.claim(f.tenant, task: RetentionService.task, now: due, leaseUntil: later(due, days: 15.0 / 1440), holder: "dead")
        })
        #expect(try service.sweep(db, now: later(due, days: 10.0 / 1440), holder: "d").isEmpty, "the lease still holds")
        #expect(try service.sweep(db, now: later(due, days: 16.0 / 1440), holder: "d").count == 1, "the expired lease is taken over")
    }
}
