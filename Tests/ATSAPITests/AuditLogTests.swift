import ATSAPI
import ATSDomain
import ATSFeatures
import ATSNotify
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Testing

/// The audit log (API.md, Audit log) over real sockets on both engines: what each kind of
/// write records, logins and passwords, who may read it, its filters, tenant isolation,
/// and that no secret ever lands in it.
@Suite("Audit log over HTTP (both adapters)", .timeLimit(.minutes(5)))
struct AuditLogTests {
    /// The tenant's entries as an admin reads them, newest first.
    private func entries(_ env: APITestEnvironment, _ token: String, _ query: String = "", tenant: String? = nil) throws -> [JSONValue] {
        let response = try env.call("GET", "/api/audit-events?limit=100" + query, token: token, tenant: tenant)
        #expect(response.status == 200, "\(response.text)")
        return response.items
    }

    private func first(_ items: [JSONValue], _ action: String) -> JSONValue? { items.first { $0["action"] == .string(action) } }

    private func change(_ entry: JSONValue?, _ field: String) -> (old: JSONValue?, new: JSONValue?) {
        (entry?["changes"]?[field]?["old"], entry?["changes"]?[field]?["new"])
    }

    @Test("every kind of write is recorded: action, resource, actor, request id, address, and old/new values", arguments: Backend.allCases)
    func writesAreRecorded(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (adminUser, admin) = try env.signedIn("admin@a.io", role: .admin)
        let (recruiterUser, recruiter) = try env.signedIn("rec@a.io", role: .recruiter)

        let created = try env.call("POST", "/api/jobs", body: #"{"title":"Engineer","company":"Acme","description":"Our plan"}"#, token: recruiter,
                                   headers: [("X-Request-ID", "req-job-create")])
        let job = try #require(created["id"]?.int)
        #expect(try env.call("PATCH", "/api/jobs/\(job)", body: #"{"title":"Senior Engineer"}"#, token: recruiter).status == 200)
        let doomed = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"Temp","company":"Acme"}"#, token: recruiter)["id"]?.int)
        #expect(try env.call("DELETE", "/api/jobs/\(doomed)", token: recruiter).status == 204)

        let signup = try env.call("POST", "/api/auth/signup", body: #"{"email":"cand@a.io","password":"password123","full_name":"Cand"}"#)
        let candidateID = try #require(signup["id"]?.int)
        let candidate = try env.login("cand@a.io")
        let application = try #require(try env.call("POST", "/api/jobs/\(job)/apply", body: #"{"cover_letter":"Hello"}"#, token: candidate)["id"]?.int)
        #expect(try env.call("PATCH", "/api/applications/\(application)/stage", body: #"{"stage":"screening","note":"Looks good"}"#, token: recruiter).status == 200)

        let note = try #require(try env.call("POST", "/api/applications/\(application)/notes", body: #"{"body":"Strong"}"#, token: recruiter)["id"]?.int)
        #expect(try env.call("DELETE", "/api/notes/\(note)", token: recruiter).status == 204)
        let interview = try #require(try env.call("POST", "/api/applications/\(application)/interviews", body: """
            {"starts_at":"2026-12-01T14:00:00Z","ends_at":"2026-12-01T15:00:00Z","interviewer_ids":[\(recruiterUser.id)]}
            """, token: recruiter)["id"]?.int)
        #expect(try env.call("POST", "/api/interviews/\(interview)/scorecards", body: #"{"recommendation":"yes"}"#, token: recruiter).status == 201)

        let key = try env.call("POST", "/api/api-keys", body: #"{"name":"CI","role":"recruiter"}"#, token: admin)
        let keyID = try #require(key["id"]?.int), keySecret = try #require(key["key"]?.string)
        #expect(try env.call("POST", "/api/jobs", body: #"{"title":"By key","company":"Acme"}"#, token: keySecret).status == 201)
        #expect(try env.call("DELETE", "/api/api-keys/\(keyID)", token: admin).status == 204)
        #expect(try env.call("PUT", "/api/pipeline", body: pipelineBody([("applied", "Applied", "applied"), ("hired", "Hired", "hired")]), token: admin).status == 200)
        #expect(try env.call("POST", "/api/rejection-reasons", body: #"{"name":"Too far","kind":"we_rejected"}"#, token: admin).status == 201)
        #expect(try env.call("PATCH", "/api/tenant", body: #"{"name":"Acme Inc"}"#, token: admin).status == 200)
        let staff = try #require(try env.call("POST", "/api/users", body: #"{"email":"new@a.io","password":"password123","role":"recruiter"}"#,
                                              token: admin)["id"]?.int)
        #expect(try env.call("PATCH", "/api/users/\(staff)", body: #"{"role":"admin"}"#, token: admin).status == 200)
        #expect(try env.call("PATCH", "/api/candidates/\(candidateID)", body: #"{"phone":"+49 30 1234"}"#, token: recruiter).status == 200)
        #expect(try env.call("POST", "/api/candidates/\(candidateID)/anonymize", token: admin).status == 200)

        let items = try entries(env, admin)
        let actions = Set(items.compactMap { $0["action"]?.string })
        for expected in ["job.created", "job.updated", "job.deleted", "candidate.created", "candidate.updated", "candidate.anonymized",
                         "application.created", "application.stage_changed", "note.created", "note.deleted", "interview.scheduled",
                         "scorecard.submitted", "api_key.created", "api_key.revoked", "pipeline.updated", "rejection_reason.created",
                         "tenant.updated", "user.created", "user.updated", "auth.login"] {
            #expect(actions.contains(expected), "\(expected) recorded")
        }
        // Newest first.
        let times = items.compactMap { $0["created_at"]?.string }.compactMap { Timestamp(rfc3339: $0) }
        #expect(times == times.sorted(by: >) && items.first?["action"] == .string("candidate.anonymized"))

        let jobCreated = items.first { $0["action"] == .string("job.created") && $0["resource_id"] == .int(job) }
        #expect(jobCreated?["actor_id"] == .int(recruiterUser.id.rawValue) && jobCreated?["api_key_id"] == .null)
        #expect(jobCreated?["resource_type"] == .string("job") && jobCreated?["request_id"] == .string("req-job-create"))
        #expect(jobCreated?["ip"] == .string("127.0.0.1"))
        #expect(change(jobCreated, "title").old == .null && change(jobCreated, "title").new == .string("Engineer"))
        #expect(change(jobCreated, "description").new == .object([("length", .int(8))]), "free text by its length only")
        let jobUpdated = first(items, "job.updated")
        #expect(jobUpdated?["changes"] == .object([("title", .object([("old", .string("Engineer")), ("new", .string("Senior Engineer"))]))]),
                "only what changed")
        #expect(change(first(items, "job.deleted"), "title").old == .string("Temp") && change(first(items, "job.deleted"), "title").new == .null)

        let byKey = items.first { $0["action"] == .string("job.created") && $0["api_key_id"] == .int(keyID) }
        #expect(byKey != nil && byKey?["actor_id"] == .null, "an API key's write names the key, as events do")
        #expect(first(items, "candidate.created")?["actor_id"] == .null, "public signup: no acting user")
        #expect(first(items, "candidate.created")?["resource_type"] == .string("candidate"))
        let moved = first(items, "application.stage_changed")
        #expect(moved?["resource_id"] == .int(application) && change(moved, "stage").old == .string("applied") && change(moved, "stage").new == .string("screening"))
        #expect(change(moved, "note").new == .object([("length", .int(10))]))
        #expect(change(first(items, "user.updated"), "role").old == .string("recruiter") && change(first(items, "user.updated"), "role").new == .string("admin"))
        #expect(first(items, "user.updated")?["actor_id"] == .int(adminUser.id.rawValue))
        #expect(change(first(items, "tenant.updated"), "name").new == .string("Acme Inc"))
        #expect(change(first(items, "api_key.created"), "name").new == .string("CI") && first(items, "api_key.created")?["changes"]?["key"] == nil)
        let anonymized = first(items, "candidate.anonymized")
        #expect(anonymized?["resource_id"] == .int(candidateID) && anonymized?["changes"]?["anonymized_at"]?["new"]?.string != nil)
        #expect(anonymized?["changes"]?["email"] == nil, "anonymizing copies nothing of the person into the log")
        let text = JSONValue.array(items).text
        #expect(!text.contains(keySecret) && !text.contains("password123") && !text.contains("argon2"), "no secret in the log")
    }

    @Test("logins (success and failure, the email as given), logout, password change and reset; never a password or token", arguments: Backend.allCases)
    func authEvents(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (adminUser, _) = try env.signedIn("admin@a.io", role: .admin)
        let (userRow, token) = try env.signedIn("c@a.io", role: .candidate)
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"C@A.io","password":"wrong-password"}"#).status == 401)
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"nobody@a.io","password":"wrong-password"}"#).status == 401)
        #expect(try env.call("POST", "/api/auth/login", body: "username=not-an-email&password=x", contentType: "application/x-www-form-urlencoded").status == 401)
        let mixedCase = try env.call("POST", "/api/auth/login", body: #"{"email":"C@A.io","password":"password123"}"#)
        #expect(mixedCase.status == 200)
        let changed = try env.call("POST", "/api/auth/password", body: #"{"current_password":"password123","new_password":"another-pass"}"#, token: token)
        let fresh = try #require(changed["access_token"]?.string)
        #expect(try env.call("POST", "/api/auth/logout", token: fresh).status == 204)
        #expect(try env.call("POST", "/api/auth/password-reset", body: #"{"email":"c@a.io"}"#).status == 202)
        let mail = try #require(try AccountTests.mails(env, kind: .passwordReset).last)
        let resetToken = try AccountTests.token(in: mail, env)
        #expect(try env.call("POST", "/api/auth/password-reset/confirm", body: #"{"token":"\#(resetToken)","new_password":"brand-new-pass"}"#).status == 200)

        let admin = try env.login("admin@a.io")
        let items = try entries(env, admin)
        let failures = items.filter { $0["action"] == .string("auth.login_failed") }
        #expect(failures.count == 3)
        let emails = Set(failures.compactMap { $0["changes"]?["email"]?["new"]?.string })
        #expect(emails == ["C@A.io", "nobody@a.io", "not-an-email"], "the email only as given")
        #expect(failures.allSatisfy { $0["actor_id"] == .null && $0["resource_type"] == .string("user") })
        #expect(failures.first { $0["changes"]?["email"]?["new"] == .string("C@A.io") }?["resource_id"] == .int(userRow.id.rawValue),
                "a failure on an existing account names it (for admins)")
        #expect(failures.first { $0["changes"]?["email"]?["new"] == .string("nobody@a.io") }?["resource_id"] == .null)
        let logins = items.filter { $0["action"] == .string("auth.login") && $0["resource_id"] == .int(userRow.id.rawValue) }
        #expect(logins.count == 2 && logins.first?["actor_id"] == .int(userRow.id.rawValue))
        #expect(logins.first?["changes"] == .object([("email", .object([("old", .null), ("new", .string("C@A.io"))]))]))
        #expect(items.contains { $0["action"] == .string("auth.login") && $0["actor_id"] == .int(adminUser.id.rawValue) })
        for action in ["auth.password_changed", "auth.logout", "auth.password_reset"] {
            let entry = first(items, action)
            #expect(entry?["actor_id"] == .int(userRow.id.rawValue) && entry?["resource_id"] == .int(userRow.id.rawValue), "\(action)")
        }
        // Straight from the table, all columns: no password, hash or token anywhere.
        let stored = try env.database.database.read(tenant: TenantID(1)) { work in
            try work.transaction.connection.query("SELECT * FROM audit_events", []).map { $0.cells.compactMap { $0 }.joined(separator: " ") }
        }.joined(separator: "\n")
        for secret in ["password123", "another-pass", "brand-new-pass", "wrong-password", resetToken, fresh, token, "$argon2"] {
            #expect(!stored.contains(secret), "no secret in the audit log")
        }
    }

    @Test("admin only; filters; newest first with paging; bad filters are 422; tenants see only their own", arguments: Backend.allCases)
    func readingTheLog(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@a.io", role: .admin)
        let (recruiterUser, recruiter) = try env.signedIn("rec@a.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("cand@a.io", role: .candidate)
        #expect(try env.call("GET", "/api/audit-events").status == 401)
        #expect(try env.call("GET", "/api/audit-events", token: recruiter).status == 403)
        #expect(try env.call("GET", "/api/audit-events", token: candidate).status == 403)

        var jobs: [Int64] = []
        for n in 0..<3 {
            jobs.append(try #require(try env.call("POST", "/api/jobs", body: #"{"title":"Job \#(n)","company":"Acme"}"#, token: recruiter)["id"]?.int))
        }
        #expect(try env.call("PATCH", "/api/jobs/\(jobs[1])", body: #"{"status":"closed"}"#, token: recruiter).status == 200)

        let created = try entries(env, admin, "&action=job.created")
        #expect(created.compactMap { $0["resource_id"]?.int } == jobs.reversed(), "newest first")
        let aboutOne = try entries(env, admin, "&resource_type=job&resource_id=\(jobs[1])")
        #expect(aboutOne.compactMap { $0["action"]?.string } == ["job.updated", "job.created"])
        let byRecruiter = try entries(env, admin, "&actor_id=\(recruiterUser.id)")
        #expect(!byRecruiter.isEmpty && byRecruiter.allSatisfy { $0["actor_id"] == .int(recruiterUser.id.rawValue) })
        #expect(try entries(env, admin, "&from=2999-01-01T00:00:00Z").isEmpty)
        #expect(try entries(env, admin, "&to=2000-01-01T00:00:00Z").isEmpty)
        #expect(try entries(env, admin, "&from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z&action=job.created").count == 3)

        let page = try env.call("GET", "/api/audit-events?action=job.created&limit=2", token: admin)
        #expect(page.items.count == 2 && page.header("X-Total-Count") == "3" && page.header("Link")?.contains("rel=\"next\"") == true)
        for bad in ["action=job.exploded", "resource_type=planet", "from=yesterday", "actor_id=abc", "resource_id=-1", "limit=0"] {
            let response = try env.call("GET", "/api/audit-events?\(bad)", token: admin)
            #expect(response.status == 422 && response.header("Content-Type")?.hasPrefix("application/problem+json") == true, "\(bad): \(response.text)")
        }

        try env.createTenant("globex")
        let (_, globexAdmin) = try env.signedIn("admin@globex.io", role: .admin, tenant: "globex")
        let theirs = try entries(env, globexAdmin, tenant: "globex")
        #expect(!theirs.isEmpty && theirs.allSatisfy { $0["action"] == .string("auth.login") }, "only globex's own login")
        #expect(try entries(env, globexAdmin, "&action=job.created", tenant: "globex").isEmpty)
        #expect(try env.call("GET", "/api/audit-events", token: admin, tenant: "globex").status == 401, "another tenant's token")
    }
}
