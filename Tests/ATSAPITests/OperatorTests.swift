@testable import ATSAPI
import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Testing

@Suite("Operator API: token (404 unset, 401 wrong), tenants created with an invited admin, suspension (403, outbox waits), deletion, usage")
struct OperatorTests {
    static let token = "operator-token-with-at-least-32-bytes-0123456789"
    static var bearer: [(String, String)] { [("Authorization", "Bearer \(token)")] }

    func environment(_ backend: Backend) throws -> APITestEnvironment {
        try APITestEnvironment(backend) { $0.operatorToken = OperatorTests.token }
    }

    @Test("unset token: every operator route is 404; set: a missing, wrong or tenant token is 401", arguments: Backend.allCases)
    func access(_ backend: Backend) throws {
        let unset = try APITestEnvironment(backend)
        #expect(try unset.call("GET", "/api/operator/tenants", headers: Self.bearer).status == 404)
        #expect(try unset.call("POST", "/api/operator/tenants", body: "{}", headers: Self.bearer).status == 404)
        let env = try environment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        #expect(try env.call("GET", "/api/operator/tenants").status == 401)
        let wrong = try env.call("GET", "/api/operator/tenants", headers: [("Authorization", "Bearer \(Self.token)x")])
        #expect(wrong.status == 401 && wrong.header("WWW-Authenticate") == "Bearer" && wrong.header("Content-Type") == "application/problem+json")
        #expect(try env.call("GET", "/api/operator/tenants", token: admin).status == 401)
        #expect(try env.call("POST", "/api/operator/tenants", body: "not json", token: admin).status == 401, "the token is checked before the body")
        let listed = try env.call("GET", "/api/operator/tenants", headers: Self.bearer)
        #expect(listed.status == 200 && listed.items.first?["slug"] == .string("default") && listed.header("X-Total-Count") == "1")
    }

    @Test("create: 201 with Location, the admin invited by mail; bad input 422, a taken slug 409", arguments: Backend.allCases)
    func create(_ backend: Backend) throws {
        let env = try environment(backend)
        let created = try env.call("POST", "/api/operator/tenants", body: #"{"slug":"acme","name":"Acme","admin_email":"Boss@Acme.example","admin_name":"Bo"}"#,
                                   headers: Self.bearer)
        #expect(created.status == 201 && created.header("Location") == "/api/operator/tenants/acme", "\(created.text)")
        #expect(created["slug"] == .string("acme") && created["status"] == .string("active") && created["name"] == .string("Acme"))
        let database = env.database.database
        let tenant = try #require(try database.read(tenant: nil) { try $0.tenants.find(slug: "acme") })
        let (admin, mail) = try database.read(tenant: tenant.id) { work in
            (try work.users.find(tenant.id, email: "boss@acme.example"), try work.outbox.list(tenant.id, filter: NotificationFilter(), page: Page(limit: 10, offset: 0)).items)
        }
        #expect(admin?.role == .admin && admin?.hasPassword == false && admin?.fullName == "Bo")
        #expect(mail.count == 1 && mail.first?.kind == NotificationKind.invitation.rawValue && mail.first?.recipient == "boss@acme.example")
        // The new tenant works at once: its default pipeline and reasons exist.
        #expect(try env.call("GET", "/api/jobs", tenant: "acme").status == 200)
        let taken = try env.call("POST", "/api/operator/tenants", body: #"{"slug":"acme","name":"Again","admin_email":"a@b.example"}"#, headers: Self.bearer)
        #expect(taken.status == 409, "\(taken.text)")
        let invalid = try env.call("POST", "/api/operator/tenants", body: #"{"slug":"-Bad","name":"","admin_email":"nope","extra":1}"#, headers: Self.bearer)
        let fields = Set(invalid["errors"].map { errors -> [String] in
            if case .array(let list) = errors { return list.compactMap { $0["field"]?.string } } else { return [] }
        } ?? [])
        #expect(invalid.status == 422 && fields == ["slug", "name", "admin_email", "extra"], "\(invalid.text)")
    }

    @Test("suspension: every request of the tenant is 403 saying so, its outbox is not claimed; reactivation restores both", arguments: Backend.allCases)
    func suspension(_ backend: Backend) throws {
        let env = try environment(backend)
        #expect(try env.call("POST", "/api/operator/tenants", body: #"{"slug":"acme","name":"Acme","admin_email":"boss@acme.example"}"#,
                             headers: Self.bearer).status == 201)
        let suspended = try env.call("PATCH", "/api/operator/tenants/acme", body: #"{"status":"suspended","name":"Acme Ltd"}"#, headers: Self.bearer)
        #expect(suspended.status == 200 && suspended["status"] == .string("suspended") && suspended["name"] == .string("Acme Ltd"))
        let refused = try env.call("GET", "/api/jobs", tenant: "acme")
        #expect(refused.status == 403 && refused.header("Content-Type") == "application/problem+json" && (refused["detail"]?.string ?? "").contains("suspended"))
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"boss@acme.example","password":"x"}"#, tenant: "acme").status == 403)
        #expect(try env.call("GET", "/api/jobs").status == 200, "other tenants are untouched")
        let database = env.database.database
        let tenant = try #require(try database.read(tenant: nil) { try $0.tenants.find(slug: "acme") })
        let now = Timestamp(microseconds: Timestamp.now().microseconds + 1_000_000)
        let lease = Timestamp(microseconds: now.microseconds + 60_000_000)
        let due = try database.read(tenant: tenant.id) { try $0.outbox.due(tenant.id, now: now, limit: 10) }
        let invitation = try #require(due.first)
        #expect(try database.transaction(tenant: tenant.id) { try $0.outbox.claim(tenant.id, id: invitation.id, now: now, leaseUntil: lease) } == nil,
                "a suspended tenant's mail waits")
        #expect(try env.call("PATCH", "/api/operator/tenants/acme", body: #"{"status":"active"}"#, headers: Self.bearer)["status"] == .string("active"))
        #expect(try env.call("GET", "/api/jobs", tenant: "acme").status == 200)
        #expect(try database.transaction(tenant: tenant.id) { try $0.outbox.claim(tenant.id, id: invitation.id, now: now, leaseUntil: lease) }?.id == invitation.id)
        // Unknown tenant, bad status, empty body.
        #expect(try env.call("PATCH", "/api/operator/tenants/nobody", body: "{}", headers: Self.bearer).status == 404)
        #expect(try env.call("PATCH", "/api/operator/tenants/acme", body: #"{"status":"paused"}"#, headers: Self.bearer).status == 422)
        #expect(try env.call("PATCH", "/api/operator/tenants/acme", headers: Self.bearer)["name"] == .string("Acme Ltd"))
    }

    @Test("usage counts the tenant's rows and requests; delete needs confirm, removes everything, refuses the default tenant", arguments: Backend.allCases)
    func usageAndDelete(_ backend: Backend) throws {
        let env = try environment(backend)
        #expect(try env.call("POST", "/api/operator/tenants", body: #"{"slug":"acme","name":"Acme","admin_email":"boss@acme.example"}"#,
                             headers: Self.bearer).status == 201)
        let (_, recruiter) = try env.signedIn("rec@acme.example", role: .recruiter, tenant: "acme")
        let job = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C"}"#, token: recruiter, tenant: "acme")["id"]?.int)
        let (_, candidate) = try env.signedIn("c@acme.example", role: .candidate, tenant: "acme")
        #expect(try env.call("POST", "/api/jobs/\(job)/apply", body: "{}", token: candidate, tenant: "acme").status == 201)
        let usage = try env.call("GET", "/api/operator/tenants/acme/usage", headers: Self.bearer)
        #expect(usage.status == 200, "\(usage.text)")
        #expect(usage["users"] == .int(2) && usage["candidates"] == .int(1) && usage["jobs"] == .int(1) && usage["applications"] == .int(1))
        #expect(usage["documents_bytes"] == .int(0) && usage["requests_24h"] == .int(4), "\(usage.text)")
        #expect(try env.call("GET", "/api/operator/tenants/nobody/usage", headers: Self.bearer).status == 404)
        // Delete: the slug repeated, else 422 and nothing goes.
        #expect(try env.call("DELETE", "/api/operator/tenants/acme", headers: Self.bearer).status == 422)
        #expect(try env.call("DELETE", "/api/operator/tenants/acme?confirm=other", headers: Self.bearer).status == 422)
        #expect(try env.call("DELETE", "/api/operator/tenants/default?confirm=default", headers: Self.bearer).status == 409)
        #expect(try env.call("DELETE", "/api/operator/tenants/acme?confirm=acme", headers: Self.bearer).status == 204)
        #expect(try env.call("GET", "/api/operator/tenants/acme/usage", headers: Self.bearer).status == 404)
        #expect(try env.call("GET", "/api/jobs", tenant: "acme").status == 404)
        #expect(try env.call("DELETE", "/api/operator/tenants/acme?confirm=acme", headers: Self.bearer).status == 404)
        #expect(try env.call("GET", "/api/operator/tenants", headers: Self.bearer).items.count == 1)
    }
}
