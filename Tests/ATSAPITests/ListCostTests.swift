import ATSAPI
import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Testing

/// Lists that stay cheap as a tenant grows (issue 16): the jobs and applications lists
/// count up to a bound like the candidates list, and the three take an opt-in keyset
/// `cursor` while limit/offset paging stays exactly as API.md says.
@Suite("Large lists: bounded counts and keyset cursors (both adapters)", .timeLimit(.minutes(5)))
struct ListCostTests {
    private func defaultTenant(_ env: APITestEnvironment) throws -> Tenant {
        try #require(try env.database.database.read(tenant: nil) { try $0.tenants.find(slug: "default") })
    }

    /// `jobs` jobs, `pool` candidates (`pool<n>@cost.io`, named `Pool <n>`) and `plus`, each
    /// of whom applied to every job; returns the first job's id. The applications are one
    /// INSERT … SELECT (ten thousand through the repository took minutes under a full run).
    @discardableResult
    private func applyEveryone(_ env: APITestEnvironment, _ tenant: Tenant, by admin: User, jobs: Int, pool: Int, plus: User) throws -> JobID {
        try env.database.database.transaction(tenant: tenant.id) { work in
            let created = try (0..<jobs).map { n in try work.jobs.create(tenant.id, NewJob(title: "Job \(n)", company: "Acme", createdBy: admin.id)) }
            for n in 0..<pool {
                _ = try work.users.create(tenant.id, NewUser(email: "pool\(n)@cost.io", passwordHash: "", fullName: "Pool \(n)", role: .candidate))
            }
            let tx = work.transaction
            let people = pool + 1  // every candidate of the tenant: the pool and `plus`
            let now = tx.now()
            // SQLite's ids are reserved up front (as the repository does); PostgreSQL makes them.
            let firstID = try tx.reserveIDs("applications", count: jobs * people)
            let id = firstID.map { "\($0) + row_number() OVER (ORDER BY j.id, u.id) - 1, " } ?? ""
            let inserted = try tx.connection.execute("""
                INSERT INTO applications (\(firstID == nil ? "" : "id, ")tenant_id, job_id, candidate_id, stage, version, created_at, updated_at)
                SELECT \(id)j.tenant_id, j.id, u.id, 'applied', 1, $2, $2 FROM jobs j JOIN users u ON u.tenant_id = j.tenant_id AND u.role = 'candidate'
                WHERE j.tenant_id = $1
                """, [.int(tenant.id.rawValue), .timestamp(now)])
            #expect(inserted == jobs * people && plus.role == .candidate)
            return try #require(created.first).id
        }
    }

    /// The target of `rel="next"` in a Link header.
    private func next(_ response: APITestEnvironment.Response) -> String? {
        guard let link = response.header("Link") else { return nil }
        for part in link.split(separator: ",") where part.contains("rel=\"next\"") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">") else { return nil }
            return String(part[part.index(after: open)..<close])
        }
        return nil
    }

    /// Follows `rel="next"` from `start` to the end: every id, in order, and the page sizes.
    private func chain(_ env: APITestEnvironment, _ start: String, token: String?, tenant: String? = nil) throws -> (ids: [Int64], pages: [Int]) {
        var ids: [Int64] = []
        var pages: [Int] = []
        var path: String? = start
        while let current = path, pages.count < 50 {
            let page = try env.call("GET", current, token: token, tenant: tenant)
            #expect(page.status == 200, "\(current): \(page.status) \(page.text.prefix(200))")
            ids += page.items.compactMap { $0["id"]?.int }
            pages.append(page.items.count)
            path = next(page)
            if let path { #expect(path.contains("cursor=") && !path.contains("offset="), "\(path)") }
        }
        return (ids, pages)
    }

    @Test("the jobs list counts up to 10,000; past it X-Total-Count is a lower bound, said so", arguments: Backend.allCases)
    func jobsBoundedCount(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (admin, token) = try env.signedIn("admin@cost.io", role: .admin)
        let tenant = try defaultTenant(env)
        let bound = SQLJobRepository.countLimit
        try env.database.database.transaction(tenant: tenant.id) { work in
            for n in 0...bound { _ = try work.jobs.create(tenant.id, NewJob(title: "Job \(n)", company: "Acme", createdBy: admin.id)) }
            for n in 0..<3 { _ = try work.jobs.create(tenant.id, NewJob(title: "Draft \(n)", company: "Acme", status: .draft, createdBy: admin.id)) }
        }
        let all = try env.call("GET", "/api/jobs/?limit=5")
        #expect(all.status == 200 && all.items.count == 5)
        #expect(all.header("X-Total-Count") == String(bound) && all.header("X-Total-Count-Exact") == "false")
        #expect(all.header("Link") == "</api/jobs/?limit=5&offset=5>; rel=\"next\"")
        // Past the bound, a full page still links onwards; the last one does not.
        let deep = try env.call("GET", "/api/jobs/?limit=5&offset=\(bound - 2)")
        #expect(deep.items.count == 3 && deep.header("X-Total-Count-Exact") == "false")
        #expect(next(deep) == nil && deep.header("Link")?.contains("rel=\"prev\"") == true)
        // A filter under the bound counts exactly, with Part 1's headers.
        let drafts = try env.call("GET", "/api/jobs/?status=draft&limit=2", token: token)
        #expect(drafts.header("X-Total-Count") == "3" && drafts.header("X-Total-Count-Exact") == nil)
        #expect(drafts.header("Link") == "</api/jobs/?status=draft&limit=2&offset=2>; rel=\"next\"")
    }

    @Test("the applications list counts up to 10,000; a job's or a candidate's own count exactly", arguments: Backend.allCases)
    func applicationsBoundedCount(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (admin, token) = try env.signedIn("admin@cost.io", role: .admin)
        let (candidate, candidateToken) = try env.signedIn("me@cost.io", role: .candidate)
        let tenant = try defaultTenant(env)
        let bound = SQLApplicationRepository.countLimit
        let firstJob = try applyEveryone(env, tenant, by: admin, jobs: 101, pool: 99, plus: candidate)
        let all = try env.call("GET", "/api/applications?limit=5", token: token)
        #expect(all.status == 200 && all.items.count == 5)
        #expect(all.header("X-Total-Count") == String(bound) && all.header("X-Total-Count-Exact") == "false")
        #expect(all.header("Link") == "</api/applications?limit=5&offset=5>; rel=\"next\"")
        let job = try env.call("GET", "/api/jobs/\(firstJob)/applications?limit=40&offset=80", token: token)
        #expect(job.items.count == 20 && job.header("X-Total-Count") == "100" && job.header("X-Total-Count-Exact") == nil)
        #expect(job.header("Link") == "</api/jobs/\(firstJob)/applications?limit=40&offset=40>; rel=\"prev\"")
        let mine = try env.call("GET", "/api/applications?limit=100", token: candidateToken)
        #expect(mine.items.count == 100 && mine.header("X-Total-Count") == "101" && mine.header("X-Total-Count-Exact") == nil)
        #expect(mine.items.allSatisfy { $0["candidate_id"]?.int == candidate.id.rawValue })
    }

    @Test("cursor pages chain without gaps or duplicates, ties on created_at included", arguments: Backend.allCases)
    func jobsCursorChain(_ backend: Backend) throws {
        let clock = TestClock()
        let env = try APITestEnvironment(backend, clock: clock)
        let (admin, token) = try env.signedIn("admin@cost.io", role: .admin)
        let tenant = try defaultTenant(env)
        // Seven jobs created in the same microsecond, then four a moment apart each.
        clock.freeze(at: Timestamp.now())
        try env.database.database.transaction(tenant: tenant.id) { work in
            for n in 0..<7 { _ = try work.jobs.create(tenant.id, NewJob(title: "Job \(n)", company: "Acme", createdBy: admin.id)) }
        }
        clock.freeze(at: nil)
        for n in 7..<11 {
            try env.database.database.transaction(tenant: tenant.id) { work in
                _ = try work.jobs.create(tenant.id, NewJob(title: "Job \(n)", company: "Acme", createdBy: admin.id))
            }
        }
        let byOffset = try env.call("GET", "/api/jobs/?q=job&limit=100").items.compactMap { $0["id"]?.int }
        #expect(byOffset.count == 11)
        let first = try env.call("GET", "/api/jobs/?q=job&limit=3&cursor=")
        #expect(first.items.count == 3 && first.header("X-Total-Count") == "11" && first.header("X-Total-Count-Exact") == nil)
        #expect(next(first)?.hasPrefix("/api/jobs/?q=job&limit=3&cursor=") == true, "\(first.header("Link") ?? "-")")
        #expect(first.header("Link")?.contains("rel=\"prev\"") == false)
        for limit in [1, 3, 5, 11] {
            let walked = try chain(env, "/api/jobs/?q=job&limit=\(limit)&cursor=", token: nil)
            #expect(walked.ids == byOffset, "limit \(limit)")
            #expect(walked.pages.dropLast().allSatisfy { $0 == limit })
        }
        // Staff see drafts too; the cursor keeps the status filter.
        try env.database.database.transaction(tenant: tenant.id) { work in
            _ = try work.jobs.create(tenant.id, NewJob(title: "Draft", company: "Acme", status: .draft, createdBy: admin.id))
        }
        #expect(try chain(env, "/api/jobs/?limit=4&cursor=", token: token).ids.count == 12)
        #expect(try chain(env, "/api/jobs/?status=draft&limit=4&cursor=", token: token).ids.count == 1)
    }

    @Test("applications and candidates page by cursor too; a candidate's cursor stays within their own", arguments: Backend.allCases)
    func applicationsAndCandidatesCursor(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (admin, token) = try env.signedIn("admin@cost.io", role: .admin)
        let (candidate, candidateToken) = try env.signedIn("me@cost.io", role: .candidate)
        let tenant = try defaultTenant(env)
        try applyEveryone(env, tenant, by: admin, jobs: 4, pool: 5, plus: candidate)
        let all = try env.call("GET", "/api/applications?limit=100", token: token).items.compactMap { $0["id"]?.int }
        #expect(all.count == 24)
        #expect(try chain(env, "/api/applications?limit=5&cursor=", token: token).ids == all)
        let mine = try chain(env, "/api/applications?limit=3&cursor=", token: candidateToken)
        #expect(mine.ids.count == 4 && mine.ids.allSatisfy(all.contains))
        let mineByOffset = try env.call("GET", "/api/applications?limit=100", token: candidateToken).items.compactMap { $0["id"]?.int }
        #expect(mine.ids == mineByOffset)
        // A staff cursor from the middle of the tenant's list shows the candidate nothing of others'.
        let staffPage = try env.call("GET", "/api/applications?limit=2&cursor=", token: token)
        let staffNext = try #require(next(staffPage))
        let crossed = try env.call("GET", staffNext, token: candidateToken)
        #expect(crossed.status == 200 && crossed.items.allSatisfy { $0["candidate_id"]?.int == candidate.id.rawValue })

        let pool = try env.call("GET", "/api/candidates?q=pool&limit=100", token: token).items.compactMap { $0["id"]?.int }
        #expect(pool.count == 5)
        let walked = try chain(env, "/api/candidates?q=pool&limit=2&cursor=", token: token)
        #expect(walked.ids == pool && walked.pages == [2, 2, 1])
    }

    @Test("a cursor never crosses tenants", arguments: Backend.allCases)
    func cursorTenantIsolation(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        try env.createTenant("other")
        let (admin, _) = try env.signedIn("admin@cost.io", role: .admin)
        let (otherAdmin, _) = try env.signedIn("admin@other.io", role: .admin, tenant: "other")
        let tenant = try defaultTenant(env)
        let other = try #require(try env.database.database.read(tenant: nil) { try $0.tenants.find(slug: "other") })
        for n in 0..<6 {
            try env.database.database.transaction(tenant: tenant.id) { work in
                _ = try work.jobs.create(tenant.id, NewJob(title: "Ours \(n)", company: "Acme", createdBy: admin.id))
            }
            try env.database.database.transaction(tenant: other.id) { work in
                _ = try work.jobs.create(other.id, NewJob(title: "Theirs \(n)", company: "Acme", createdBy: otherAdmin.id))
            }
        }
        let ours = try env.call("GET", "/api/jobs/?limit=2&cursor=")
        let cursorURL = try #require(next(ours))
        let theirs = try env.call("GET", cursorURL, tenant: "other")
        #expect(theirs.status == 200 && theirs.items.count == 2)
        #expect(theirs.items.allSatisfy { $0["title"]?.string?.hasPrefix("Theirs") == true })
        #expect(theirs.header("X-Total-Count") == "6")
        let walked = try chain(env, "/api/jobs/?limit=4&cursor=", token: nil, tenant: "other")
        #expect(walked.ids.count == 6 && walked.pages == [4, 2])
    }

    @Test("a cursor the API did not write, or one with offset, is 422", arguments: Backend.allCases)
    func badCursor(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, token) = try env.signedIn("admin@cost.io", role: .admin)
        for path in ["/api/jobs/", "/api/applications", "/api/candidates"] {
            for bad in ["abc", "12_0", "12_x", "_5", "1_2_3", "12", "123456789012345678901_1", "1.5_2", "12_-3", "%20_1"] {
                let response = try env.call("GET", "\(path)?cursor=\(bad)", token: token)
                #expect(response.status == 422 && response.header("Content-Type") == "application/problem+json", "\(path) \(bad): \(response.status)")
                #expect(response.text.contains("cursor"), "\(response.text.prefix(300))")
            }
            let both = try env.call("GET", "\(path)?cursor=&offset=3", token: token)
            #expect(both.status == 422 && both.text.contains("offset"), "\(both.text.prefix(300))")
            // offset=0 is the start anyway, so it may come along.
            #expect(try env.call("GET", "\(path)?cursor=&offset=0", token: token).status == 200)
        }
    }

    @Test("without a cursor, small lists keep Part 1's headers exactly", arguments: Backend.allCases)
    func offsetHeadersUnchanged(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (admin, token) = try env.signedIn("admin@cost.io", role: .admin)
        let tenant = try defaultTenant(env)
        try env.database.database.transaction(tenant: tenant.id) { work in
            let job = try work.jobs.create(tenant.id, NewJob(title: "Job", company: "Acme", createdBy: admin.id))
            for n in 0..<5 {
                let person = try work.users.create(tenant.id, NewUser(email: "p\(n)@cost.io", passwordHash: "", fullName: nil, role: .candidate))
                _ = try work.applications.create(tenant.id, NewApplication(jobID: job.id, candidateID: person.id), actor: nil)
            }
        }
        for path in ["/api/applications", "/api/candidates"] {
            let middle = try env.call("GET", "\(path)?limit=2&offset=2", token: token)
            #expect(middle.header("X-Total-Count") == "5" && middle.header("X-Total-Count-Exact") == nil)
            #expect(middle.header("Link") == "<\(path)?limit=2&offset=4>; rel=\"next\", <\(path)?limit=2&offset=0>; rel=\"prev\"")
            let last = try env.call("GET", "\(path)?limit=2&offset=4", token: token)
            #expect(last.items.count == 1 && last.header("Link") == "<\(path)?limit=2&offset=2>; rel=\"prev\"")
            let past = try env.call("GET", "\(path)?limit=2&offset=10", token: token)
            #expect(past.items.isEmpty && past.header("X-Total-Count") == "5")
        }
        let jobs = try env.call("GET", "/api/jobs/")
        #expect(jobs.header("X-Total-Count") == "1" && jobs.header("Link") == nil && jobs.header("X-Total-Count-Exact") == nil)
    }
}
