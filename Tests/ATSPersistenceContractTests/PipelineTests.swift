import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSPostgres
import ATSSupport
import ATSTestSupport
import Testing

@Suite("Pipelines as data (both adapters)", .timeLimit(.minutes(3)))
struct PipelineTests {
    private func grant(_ test: TestDatabase) throws {
        try (test.ownerDatabase as? PostgresDatabase)?.grantApplicationRole(PostgresTestServer.appRole)
    }

    @Test("the migration gives every existing tenant a template and every existing job the default pipeline", arguments: Backend.allCases)
    func migrationGivesDefaults(_ backend: Backend) throws {
        let test = try TestDatabase(backend, migrate: false)
        _ = try test.withRunner { try $0.up(to: 3) }
        try grant(test)
        // Rows as schema 3 had them, written column by column (today's repositories write
        // columns that later migrations add).
        let (tenant, job) = try test.database.withTransaction(tenant: nil) { tx in
            let now = tx.now()
            let tenant = try tx.run { () throws(SQLError) -> Int64 in
                try tx.insert(into: "tenants", [("slug", .text("before")), ("name", .text("Before")), ("created_at", .timestamp(now))])
            }
            try tx.scope(to: TenantID(tenant))
            return try tx.run { () throws(SQLError) -> (TenantID, JobID) in
                let user = try tx.insert(into: "users", [
                    ("tenant_id", .int(tenant)), ("email", .text("r@before.io")), ("password_hash", .text("h")), ("role", .text("recruiter")),
                    ("is_active", .bool(true)), ("created_at", .timestamp(now)),
                ])
                let job = try tx.insert(into: "jobs", [
                    ("tenant_id", .int(tenant)), ("title", .text("Before pipelines")), ("company", .text("Acme")), ("status", .text("open")),
                    ("created_by", .int(user)), ("created_at", .timestamp(now)), ("updated_at", .timestamp(now)),
                ])
                return (TenantID(tenant), JobID(job))
            }
        }
        _ = try test.withRunner { try $0.up() }
        try grant(test)
        let (template, jobPipeline) = try test.database.read(tenant: tenant) { work in
            (try work.pipelines.template(tenant), try work.pipelines.forJob(tenant, job))
        }
        #expect(template == .standard)
        #expect(jobPipeline == .standard)
        let defaultTenant = try #require(try test.database.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        #expect(try test.database.read(tenant: defaultTenant.id) { try $0.pipelines.template(defaultTenant.id) } == .standard)
    }

    @Test("new tenants get a template and new jobs a copy of it; the stage rule reads the job's pipeline", arguments: Backend.allCases)
    func transitionsReadThePipeline(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let db = test.database
        let tenant = try TenantService().create(db, slug: "acme", name: "Acme")
        #expect(try db.read(tenant: tenant.id) { try $0.pipelines.template(tenant.id) } == .standard)
        let (recruiter, candidate) = try db.transaction(tenant: tenant.id) { work in
            (try work.users.create(tenant.id, NewUser(email: "r@acme.io", passwordHash: "h", fullName: nil, role: .recruiter)),
             try work.users.create(tenant.id, NewUser(email: "c@acme.io", passwordHash: "h", fullName: nil, role: .candidate)))
        }
        let job = try db.transaction(tenant: tenant.id) { work in
            try JobService().create(work, tenant: tenant.id, caller: recruiter, NewJob(title: "T", company: "C", createdBy: recruiter.id))
        }
        #expect(try db.read(tenant: tenant.id) { try $0.pipelines.forJob(tenant.id, job.id) } == .standard)
        let application = try db.transaction(tenant: tenant.id) { work in
            try ApplicationService().apply(work, tenant: tenant, candidate: candidate, jobID: job.id, coverLetter: nil, resumeURL: nil)
        }
        #expect(application.stage == .applied)
        func move(_ to: Stage) throws -> Application {
            try db.transaction(tenant: tenant.id) { work in
                try ApplicationService().moveStage(work, tenant: tenant, actor: recruiter, id: application.id, to: to, note: nil)
            }
        }
        // The default pipeline refuses a skip...
        #expect(throws: DomainError.conflict("An application in stage applied cannot move to offer.", allowedStages: [.screening, .rejected])) {
            _ = try move(.offer)
        }
        // ...until this job's pipeline allows skipping: the rule is read from the rows.
        _ = try db.transaction(tenant: tenant.id) { work in
            try work.transaction.connection.execute("UPDATE pipelines SET allow_skip = $1 WHERE tenant_id = $2 AND job_id = $3",
                                                    [.bool(true), .int(tenant.id.rawValue), .int(job.id.rawValue)])
        }
        #expect(try move(.offer).stage == .offer)
        // A stage the pipeline does not have is refused like any illegal move (API.md: 409 with `allowed`).
        #expect(throws: DomainError.conflict("An application in stage offer cannot move to onsite.", allowedStages: [.hired, .rejected])) {
            _ = try move(Stage(rawValue: "onsite")!)
        }
    }
}
