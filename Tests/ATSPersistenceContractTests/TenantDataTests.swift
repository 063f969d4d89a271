import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Testing

@Suite("TenantData lists every tenant table (both adapters)")
struct TenantDataTests {
    /// Every table of the migrated schema that has a `tenant_id` column, with its columns.
    private func tenantTables(_ db: any Database) throws -> [String: Set<String>] {
        let sql = db.dialect == .postgres
            ? "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"
            : "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
        let rows = try db.read(tenant: nil) { try $0.transaction.connection.query(sql, []) }
        var columns: [String: Set<String>] = [:]
        for row in rows { columns[try row.text(0), default: []].insert(try row.text(1)) }
        return columns.filter { $0.value.contains("tenant_id") }
    }

    @Test("a migration that adds a tenant table or column not registered in TenantData fails this test", arguments: Backend.allCases)
    func registryMatchesTheSchema(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let schema = try tenantTables(test.database)
        let registered = Dictionary(uniqueKeysWithValues: TenantData.tables.map { ($0.name, $0) })
        #expect(Set(schema.keys).subtracting(TenantData.derivedTables) == Set(registered.keys), "tenant tables in the schema vs TenantData.tables")
        for (name, columns) in schema {
            guard let table = registered[name] else { continue }
            let known = Set(table.columns.map(\.name) + table.secretColumns + ["tenant_id"])
            #expect(columns == known, "columns of \(name): every one is exported or named secret")
        }
    }

    @Test("export holds every table and no secret; delete leaves no row of the tenant", arguments: Backend.allCases)
    func exportAndDelete(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let db = test.database
        let tenant = try TenantService().create(db, slug: "acme", name: "Acme")
        try db.transaction(tenant: tenant.id) { work in
            let user = try work.users.create(tenant.id, NewUser(email: "a@acme.io", passwordHash: "$argon2id$secret", fullName: nil, role: .recruiter))
            _ = try work.jobs.create(tenant.id, NewJob(title: "T", company: "C", createdBy: user.id))
        }
        let document = try TenantService().export(db, slug: "acme")
        for table in TenantData.tables { #expect(document[table.name] != nil, "export has \(table.name)") }
        #expect(!document.text.contains("argon2"))
        try TenantService().delete(db, slug: "acme", confirmation: "acme", defaultTenant: "default")
        #expect(throws: DomainError.notFound("no tenant 'acme'")) { try TenantService().find(db, slug: "acme") }
        let left = try db.read(tenant: tenant.id) { work in
            try TenantData.tables.map { try work.transaction.connection.queryOne("SELECT count(*) FROM \($0.name) WHERE tenant_id = $1", [.int(tenant.id.rawValue)])?.int(0) ?? -1 }
        }
        #expect(left.allSatisfy { $0 == 0 })
    }
}

@Suite("Domain events and the outbox (both adapters)")
struct DomainEventTests {
    @Test("a published event is one events row and one outbox row per delivery, all in the change's transaction", arguments: Backend.allCases)
    func publishWritesEventAndDeliveries(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let db = test.database
        let tenant = try #require(try db.read(tenant: nil) { try $0.tenants.find(id: f.tenant) })
        let job = try f.job("Engineer")
        let application = try db.transaction(tenant: f.tenant) { work in
            try ApplicationService().apply(work, tenant: tenant, candidate: f.candidate, jobID: job.id, coverLetter: nil, resumeURL: nil)
        }
        let (events, deliveries) = try db.read(tenant: f.tenant) { work in
            (try work.transaction.connection.query("SELECT id, type, actor_id, payload FROM events WHERE tenant_id = $1", [.int(f.tenant.rawValue)]),
             try work.transaction.connection.query("SELECT event_id, channel, kind, recipient FROM outbox WHERE tenant_id = $1 ORDER BY id", [.int(f.tenant.rawValue)]))
        }
        #expect(events.count == 1)
        #expect(try events.first?.text(1) == "application.received")
        #expect(try events.first?.optionalInt(2) == f.candidate.id.rawValue)
        let payload = try JSONParser.parse(Array(try #require(events.first).text(3).utf8))
        #expect(payload["application_id"] == .int(application.id.rawValue))
        #expect(try deliveries.map { try $0.text(2) } == ["application.received", "application.new_for_job"])
        #expect(try deliveries.allSatisfy { try $0.int(0) == (try events.first?.int(0)) && $0.text(1) == "mail" })
        // A failed change leaves neither the event nor its deliveries.
        #expect(throws: (any Error).self) {
            try db.transaction(tenant: f.tenant) { work in
                try work.publish(.applicationReceived(ApplicationReceived(tenant: tenant, application: application, job: job, candidate: f.candidate, jobCreator: nil)),
                                 actor: nil, tenant: f.tenant)
                throw StorageError.internalError("the change failed")
            }
        }
        #expect(try db.read(tenant: f.tenant) { try $0.transaction.connection.queryOne("SELECT count(*) FROM events", [])?.int(0) } == 1)
    }
}
