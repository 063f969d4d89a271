import ATSAPI
import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Testing

@Suite("Privacy: export, anonymize, erase (both adapters)", .timeLimit(.minutes(3)))
struct PrivacyTests {
    /// A tenant with an admin, a recruiter, a job and a candidate who applied with a cover
    /// letter and was moved once with a note.
    struct World {
        let env: APITestEnvironment
        let admin: String
        let recruiter: String
        let candidateID: Int64
        let candidateToken: String
        let applicationID: Int64
    }

    private func list(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items } else { return [] }
    }

    private func world(_ backend: Backend) throws -> World {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@p.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@p.io", role: .recruiter)
        let signup = try env.call("POST", "/api/auth/signup", body: #"{"email":"ada@p.io","password":"password123","full_name":"Ada Lovelace"}"#)
        let candidateID = try #require(signup["id"]?.int)
        let candidate = try env.login("ada@p.io")
        let job = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"Engineer","company":"Acme"}"#, token: recruiter)["id"]?.int)
        let applied = try env.call("POST", "/api/jobs/\(job)/apply", body: #"{"cover_letter":"Dear Acme","resume_url":"https://cv.example/ada"}"#, token: candidate)
        let applicationID = try #require(applied["id"]?.int, "\(applied.status) \(applied.text)")
        #expect(try env.call("PATCH", "/api/applications/\(applicationID)/stage", body: #"{"stage":"screening","note":"Ada seems great"}"#, token: recruiter).status == 200)
        return World(env: env, admin: admin, recruiter: recruiter, candidateID: candidateID, candidateToken: candidate, applicationID: applicationID)
    }

    @Test("exports: the admin's holds everything incl. notes and scorecards, the candidate's their own; roles and tenants", arguments: Backend.allCases)
    func exports(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let export = try env.call("GET", "/api/candidates/\(w.candidateID)/export", token: w.admin)
        #expect(export.status == 200 && export.header("Cache-Control") == "no-store", "\(export.text)")
        #expect(export["profile"]?["email"] == .string("ada@p.io") && export["profile"]?["full_name"] == .string("Ada Lovelace"))
        let applications = list(export["applications"])
        #expect(applications.count == 1 && applications.first?["cover_letter"] == .string("Dear Acme"))
        let events = list(applications.first?["events"])
        #expect(events.map { $0["to_stage"]?.string ?? "" } == ["applied", "screening"])
        let notifications = list(export["notifications"])
        #expect(Set(notifications.compactMap { $0["kind"]?.string }) == ["application.received", "application.stage_changed"],
                "only mail to the candidate, not the recruiter's alert")
        #expect(export["notes"] == .array([]) && export["scorecards"] == .array([]) && export["interviews"] == .array([]) && export["documents"] == .array([]))

        let own = try env.call("GET", "/api/auth/me/export", token: w.candidateToken)
        #expect(own.status == 200 && own["profile"]?["id"] == .int(w.candidateID))
        #expect(own["notes"] == nil && own["scorecards"] == nil, "staff notes are in the admin's export only")

        #expect(try env.call("GET", "/api/candidates/\(w.candidateID)/export", token: w.recruiter).status == 403)
        #expect(try env.call("GET", "/api/candidates/\(w.candidateID)/export", token: w.candidateToken).status == 403)
        #expect(try env.call("GET", "/api/candidates/\(w.candidateID)/export").status == 401)
        #expect(try env.call("GET", "/api/auth/me/export", token: w.recruiter).status == 403)
        #expect(try env.call("GET", "/api/auth/me/export").status == 401)
        let recruiterID = try #require(try env.call("GET", "/api/auth/me", token: w.recruiter)["id"]?.int)
        #expect(try env.call("GET", "/api/candidates/\(recruiterID)/export", token: w.admin).status == 404, "staff are not candidates")
        #expect(try env.call("GET", "/api/candidates/999999/export", token: w.admin).status == 404)
        #expect(try env.call("GET", "/api/candidates/abc/export", token: w.admin).status == 404)
        // Another tenant's admin cannot see this candidate, nor use their token here.
        try env.createTenant("other")
        let (_, otherAdmin) = try env.signedIn("admin@other.io", role: .admin, tenant: "other")
        #expect(try env.call("GET", "/api/candidates/\(w.candidateID)/export", token: otherAdmin, tenant: "other").status == 404)
        #expect(try env.call("POST", "/api/candidates/\(w.candidateID)/anonymize", token: otherAdmin, tenant: "other").status == 404)
        #expect(try env.call("GET", "/api/candidates/\(w.candidateID)/export", token: otherAdmin).status == 401)
    }

    @Test("anonymize: identity and texts go, history stays, pending mail is cancelled, the account is closed; idempotent", arguments: Backend.allCases)
    func anonymize(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        #expect(try env.call("POST", "/api/candidates/\(w.candidateID)/anonymize", token: w.recruiter).status == 403)
        #expect(try env.call("POST", "/api/candidates/\(w.candidateID)/anonymize", token: w.candidateToken).status == 403)
        #expect(try env.call("POST", "/api/candidates/\(w.candidateID)/anonymize", body: #"{"x":1}"#, token: w.admin).status == 422)

        let done = try env.call("POST", "/api/candidates/\(w.candidateID)/anonymize", token: w.admin)
        #expect(done.status == 200, "\(done.text)")
        #expect(done["email"] == .string("anonymized-\(w.candidateID)@invalid") && done["full_name"] == .null)
        #expect(done["is_active"] == .bool(false) && done["has_password"] == .bool(false) && done["tags"] == .array([]) && done["links"] == .array([]))
        let again = try env.call("POST", "/api/candidates/\(w.candidateID)/anonymize", token: w.admin)
        #expect(again.status == 200 && again.text == done.text, "idempotent: the same candidate, unchanged")

        #expect(try env.call("GET", "/api/auth/me", token: w.candidateToken).status == 401, "their token is refused")
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"ada@p.io","password":"password123"}"#).status == 401)
        let application = try env.call("GET", "/api/applications/\(w.applicationID)", token: w.recruiter)
        #expect(application["stage"] == .string("screening") && application["cover_letter"] == .null && application["resume_url"] == .null)
        let events = try env.call("GET", "/api/applications/\(w.applicationID)/events", token: w.recruiter)
        #expect(events.items.map { $0["to_stage"]?.string ?? "" } == ["applied", "screening"] && events.items.allSatisfy { $0["note"] == .null })

        let notifications = try env.call("GET", "/api/notifications?limit=100", token: w.admin)
        let toCandidate = notifications.items.filter { $0["kind"]?.string != "application.new_for_job" }
        #expect(toCandidate.count == 2 && toCandidate.allSatisfy { $0["status"] == .string("cancelled") && $0["recipient"] == .string("anonymized-\(w.candidateID)@invalid") })
        // The recruiter's unsent alert about them is cancelled too (it would name them).
        #expect(try env.call("GET", "/api/notifications?status=cancelled", token: w.admin).header("X-Total-Count") == "3")

        // Nothing in the tenant's rows names them any more (events' payloads included).
        let db = env.database.database
        let tenant = try #require(try db.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        let leftovers = try db.read(tenant: tenant.id) { work in
            try work.transaction.run { () throws(SQLError) -> Int64 in
                let row = try work.transaction.connection.queryOne("""
                    SELECT (SELECT count(*) FROM events WHERE tenant_id = $1 AND (payload LIKE '%ada@p.io%' OR payload LIKE '%Lovelace%' OR payload LIKE '%Ada seems%'))
                         + (SELECT count(*) FROM outbox WHERE tenant_id = $1 AND (payload LIKE '%ada@p.io%' OR payload LIKE '%Lovelace%' OR recipient = 'ada@p.io'))
                         + (SELECT count(*) FROM users WHERE tenant_id = $1 AND (email = 'ada@p.io' OR full_name LIKE '%Lovelace%'))
                    """, [.int(tenant.id.rawValue)])
                return try row?.int(0) ?? -1
            }
        }
        #expect(leftovers == 0)
        // The person can sign up again as someone new; the old record stays anonymous.
        #expect(try env.call("POST", "/api/auth/signup", body: #"{"email":"ada@p.io","password":"password123"}"#).status == 201)
    }

    @Test("self-erasure needs the password; then the account is anonymized and signed out", arguments: Backend.allCases)
    func erase(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let wrong = try env.call("POST", "/api/auth/me/erase", body: #"{"password":"not-my-password"}"#, token: w.candidateToken)
        #expect(wrong.status == 422 && wrong.text.contains("password"))
        #expect(try env.call("POST", "/api/auth/me/erase", body: "{}", token: w.candidateToken).status == 422)
        #expect(try env.call("POST", "/api/auth/me/erase", body: #"{"password":"password123","x":1}"#, token: w.candidateToken).status == 422)
        #expect(try env.call("POST", "/api/auth/me/erase", body: #"{"password":"password123"}"#, token: w.recruiter).status == 403)
        #expect(try env.call("POST", "/api/auth/me/erase", body: #"{"password":"password123"}"#).status == 401)
        #expect(try env.call("POST", "/api/auth/me/erase", body: #"{"password":"password123"}"#, token: w.candidateToken).status == 204)
        #expect(try env.call("GET", "/api/auth/me", token: w.candidateToken).status == 401)
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"ada@p.io","password":"password123"}"#).status == 401)
        let exported = try env.call("GET", "/api/candidates/\(w.candidateID)/export", token: w.admin)
        #expect(exported["profile"]?["email"] == .string("anonymized-\(w.candidateID)@invalid"))
    }

    @Test("wrong erase passwords are limited per account", arguments: [Backend.sqlite])
    func eraseLimited(_ backend: Backend) throws {
        let w = try world(backend)
        var statuses: [Int] = []
        for _ in 0..<6 {
            statuses.append(try w.env.call("POST", "/api/auth/me/erase", body: #"{"password":"wrong-password"}"#, token: w.candidateToken).status)
        }
        #expect(statuses == [422, 422, 422, 422, 422, 429])
    }
}
