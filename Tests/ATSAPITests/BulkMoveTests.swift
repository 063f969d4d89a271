import ATSAPI
import ATSDomain
import ATSSupport
import ATSFeatures
import ATSPersistence
import ATSTestSupport
import Testing

@Suite("Bulk stage moves over HTTP (both adapters)", .timeLimit(.minutes(3)))
struct BulkMoveTests {
    private func ids(_ list: [Int64]) -> String { "[" + list.map(String.init).joined(separator: ",") + "]" }

    private func stages(_ env: APITestEnvironment, _ apps: [Int64], _ token: String) throws -> [String] {
        try apps.map { try env.call("GET", "/api/applications/\($0)", token: token)["stage"]?.string ?? "" }
    }

    @Test("all or nothing: an unknown id is 404 and an illegal move 409, each listing the ids; nothing changes", arguments: Backend.allCases)
    func allOrNothing(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, candidateToken) = try env.signedIn("cand@x.io", role: .candidate)
        let candidates = try env.candidates(3, prefix: "c")
        let job = try env.job(recruiter)
        let apps = try candidates.map { try env.apply(job, $0) }
        #expect(try env.move(apps[2], "screening", recruiter).status == 200)
        let notificationsBefore = try env.count("/api/notifications", admin)

        let unknown = try env.call("POST", "/api/applications/bulk-stage", body: #"{"application_ids":\#(ids([apps[0], 999_999, apps[1]])),"stage":"screening"}"#, token: recruiter)
        #expect(unknown.status == 404 && unknown["application_ids"] == .array([.int(999_999)]), "\(unknown.text)")
        #expect(try stages(env, apps, recruiter) == ["applied", "applied", "screening"], "nothing moved")

        let illegal = try env.call("POST", "/api/applications/bulk-stage", body: #"{"application_ids":\#(ids(apps)),"stage":"screening"}"#, token: recruiter)
        #expect(illegal.status == 409 && illegal["application_ids"] == .array([.int(apps[2])]), "\(illegal.text)")
        #expect(try stages(env, apps, recruiter) == ["applied", "applied", "screening"], "nothing moved")
        #expect(try env.count("/api/notifications", admin) == notificationsBefore)

        // Repeated ids count once.
        let moved = try env.call("POST", "/api/applications/bulk-stage", body: #"{"application_ids":\#(ids([apps[0], apps[1], apps[0]])),"stage":"screening","note":"batch"}"#,
                                 token: recruiter)
        #expect(moved.status == 200 && moved["applications"]?.itemCount == 2, "\(moved.text)")
        #expect(try stages(env, apps, recruiter) == ["screening", "screening", "screening"])
        #expect(try env.count("/api/notifications", admin) == notificationsBefore + 2)
        #expect(try env.call("GET", "/api/applications/\(apps[0])/events", token: recruiter).items.last?["note"] == .string("batch"))

        // Rejection in bulk: reason and quiet.
        let reason = try #require(try env.call("GET", "/api/rejection-reasons", token: recruiter).items.first?["id"]?.int)
        let rejected = try env.call("POST", "/api/applications/bulk-stage",
                                    body: #"{"application_ids":\#(ids(apps)),"stage":"rejected","rejection_reason_id":\#(reason),"notify_candidate":false}"#, token: recruiter)
        #expect(rejected.status == 200 && rejected["applications"]?[0]?["rejection"]?["reason_id"] == .int(reason), "\(rejected.text)")
        #expect(try env.count("/api/notifications", admin) == notificationsBefore + 2, "notify_candidate false")

        for body in [#"{"application_ids":[],"stage":"screening"}"#, #"{"application_ids":\#(ids((1...501).map { Int64($0) })),"stage":"screening"}"#,
                     #"{"application_ids":["1"],"stage":"screening"}"#, #"{"application_ids":[0],"stage":"screening"}"#, #"{"application_ids":[1]}"#,
                     #"{"application_ids":[1],"stage":"Bad Key"}"#, #"{"application_ids":[1],"stage":"screening","extra":1}"#] {
            #expect(try env.call("POST", "/api/applications/bulk-stage", body: body, token: recruiter).status == 422, "\(body)")
        }
        #expect(try env.call("POST", "/api/applications/bulk-stage", body: #"{"application_ids":[1],"stage":"screening"}"#, token: candidateToken).status == 403)

        // Another tenant's ids are unknown there.
        _ = try TenantService().create(env.database.database, slug: "other", name: "Other")
        let (_, otherRecruiter) = try env.signedIn("rec@other.io", role: .recruiter, tenant: "other")
        let foreign = try env.call("POST", "/api/applications/bulk-stage", body: #"{"application_ids":\#(ids([apps[0]])),"stage":"screening"}"#,
                                   token: otherRecruiter, tenant: "other")
        #expect(foreign.status == 404 && foreign["application_ids"] == .array([.int(apps[0])]))
    }

    @Test("500 applications in one request: each moved with its event and its notification", arguments: Backend.allCases)
    func fiveHundred(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let job = JobID(try env.job(recruiter))
        let db = env.database.database
        let tenant = try #require(try db.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        // 500 candidates and their applications written directly (applying over HTTP is not what is tested).
        let apps = try db.transaction(tenant: tenant.id) { work in
            try (0..<500).map { i in
                let user = try work.users.create(tenant.id, NewUser(email: "bulk\(i)@x.io", passwordHash: "x", fullName: "Bulk \(i)", role: .candidate))
                return try work.applications.create(tenant.id, NewApplication(jobID: job, candidateID: user.id), actor: user.id).id.rawValue
            }
        }
        let moved = try env.call("POST", "/api/applications/bulk-stage", body: #"{"application_ids":\#(ids(apps)),"stage":"screening"}"#, token: recruiter)
        #expect(moved.status == 200 && moved["applications"]?.itemCount == 500, "\(moved.status)")
        #expect(moved["applications"]?[499]?["id"] == .int(apps[499]) && moved["applications"]?[499]?["stage"] == .string("screening"))
        #expect(try env.count("/api/applications?stage=screening", recruiter) == 500)
        #expect(try env.count("/api/notifications?limit=100", admin) == 500, "one notification per application")
        let events = try db.read(tenant: tenant.id) { work in
            try work.transaction.rows("SELECT count(*) FROM application_events WHERE tenant_id = $1 AND to_stage = 'screening'", [.int(tenant.id.rawValue)]) {
                row throws(SQLError) in try row.int(0)
            }
        }
        #expect(events == [500], "one event per application")
        for app in [apps[0], apps[250], apps[499]] {
            let history = try env.call("GET", "/api/applications/\(app)/events", token: recruiter).items
            #expect(history.map { $0["to_stage"]?.string ?? "" } == ["applied", "screening"])
        }
    }
}
