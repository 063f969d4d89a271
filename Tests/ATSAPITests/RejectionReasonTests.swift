import ATSAPI
import ATSDomain
import ATSSupport
import ATSFeatures
import ATSPersistence
import ATSTestSupport
import Testing

@Suite("Rejection reasons over HTTP (both adapters)", .timeLimit(.minutes(3)))
struct RejectionReasonTests {
    static let defaults: [(String, String)] = [("Not a fit", "we_rejected"), ("Position filled", "we_rejected"), ("Withdrew", "candidate_withdrew")]

    private func names(_ items: [JSONValue]) -> [String] { items.compactMap { $0["name"]?.string } }

    @Test("the defaults exist for the default tenant and every new one; staff read, admins add, rename and archive", arguments: Backend.allCases)
    func rolesAndDefaults(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let list = try env.call("GET", "/api/rejection-reasons", token: recruiter)
        #expect(list.status == 200 && list.header("X-Total-Count") == "3")
        #expect(list.items.map { [$0["name"]?.string ?? "", $0["kind"]?.string ?? ""] } == Self.defaults.map { [$0.0, $0.1] })
        #expect(list.items.allSatisfy { $0["archived"] == .bool(false) && ($0["id"]?.int ?? 0) > 0 })
        #expect(try env.call("GET", "/api/rejection-reasons", token: candidate).status == 403)
        #expect(try env.call("GET", "/api/rejection-reasons").status == 401)

        _ = try TenantService().create(env.database.database, slug: "fresh", name: "Fresh")
        let (_, freshAdmin) = try env.signedIn("admin@fresh.io", role: .admin, tenant: "fresh")
        #expect(names(try env.call("GET", "/api/rejection-reasons", token: freshAdmin, tenant: "fresh").items) == Self.defaults.map(\.0))

        let body = #"{"name":"Salary","kind":"we_rejected"}"#
        #expect(try env.call("POST", "/api/rejection-reasons", body: body, token: recruiter).status == 403)
        let created = try env.call("POST", "/api/rejection-reasons", body: body, token: admin)
        #expect(created.status == 201 && created["name"] == .string("Salary") && created["archived"] == .bool(false), "\(created.text)")
        let id = try #require(created["id"]?.int)
        #expect(created.header("Location") == "/api/rejection-reasons/\(id)")
        #expect(try env.call("POST", "/api/rejection-reasons", body: #"{"name":"X","kind":"ghosted"}"#, token: admin).status == 422)
        #expect(try env.call("POST", "/api/rejection-reasons", body: #"{"name":"","kind":"we_rejected"}"#, token: admin).status == 422)
        #expect(try env.call("POST", "/api/rejection-reasons", body: #"{"name":"\#(String(repeating: "x", count: 101))","kind":"we_rejected"}"#, token: admin).status == 422)

        #expect(try env.call("PATCH", "/api/rejection-reasons/\(id)", body: #"{"archived":true}"#, token: recruiter).status == 403)
        let archived = try env.call("PATCH", "/api/rejection-reasons/\(id)", body: #"{"name":"Salary expectations","archived":true}"#, token: admin)
        #expect(archived.status == 200 && archived["name"] == .string("Salary expectations") && archived["archived"] == .bool(true))
        let after = try env.call("GET", "/api/rejection-reasons", token: recruiter).items
        #expect(after.count == 4 && after.last?["archived"] == .bool(true), "archived ones are listed, flagged")
        #expect(try env.call("PATCH", "/api/rejection-reasons/999999", body: "{}", token: admin).status == 404)
        #expect(try env.call("PATCH", "/api/rejection-reasons/\(id)", body: #"{"kind":"we_rejected"}"#, token: admin).status == 422, "the kind is fixed")

        // Another tenant's reason does not exist here.
        #expect(try env.call("PATCH", "/api/rejection-reasons/\(id)", body: #"{"archived":false}"#, token: freshAdmin, tenant: "fresh").status == 404)
        #expect(try env.call("GET", "/api/rejection-reasons", token: freshAdmin, tenant: "fresh").items.count == 3)
    }

    @Test("rejecting: the reason when the tenant requires one, archived or unknown reasons 422, notify_candidate false sends no mail",
          arguments: Backend.allCases)
    func rejecting(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let candidates = try env.candidates(4, prefix: "c")
        let job = try env.job(recruiter)
        let apps = try candidates.map { try env.apply(job, $0) }
        let reasons = try env.call("GET", "/api/rejection-reasons", token: recruiter).items.compactMap { $0["id"]?.int }
        let archivedID = try #require(try env.call("POST", "/api/rejection-reasons", body: #"{"name":"Old","kind":"we_rejected"}"#, token: admin)["id"]?.int)
        #expect(try env.call("PATCH", "/api/rejection-reasons/\(archivedID)", body: #"{"archived":true}"#, token: admin).status == 200)

        // Not required by default: a rejection without a reason has a rejection without one.
        let plain = try env.move(apps[0], "rejected", recruiter)
        #expect(plain.status == 200 && plain["rejection"] == .object([("reason_id", .null), ("reason", .null), ("note", .null)]), "\(plain.text)")
        #expect(try env.call("GET", "/api/applications/\(apps[1])", token: recruiter)["rejection"] == .null, "not rejected: null")

        #expect(try env.call("PATCH", "/api/tenant", body: #"{"settings":{"require_rejection_reason":true}}"#, token: admin).status == 200)
        let missing = try env.move(apps[1], "rejected", recruiter)
        #expect(missing.status == 422 && missing["errors"]?[0]?["field"] == .string("rejection_reason_id"), "\(missing.text)")
        for bad in [archivedID, 999_999] {
            let refused = try env.move(apps[1], "rejected", recruiter, extra: #","rejection_reason_id":\#(bad)"#)
            #expect(refused.status == 422 && refused["errors"]?[0]?["field"] == .string("rejection_reason_id"), "\(bad): \(refused.text)")
        }
        #expect(try env.call("GET", "/api/applications/\(apps[1])", token: recruiter)["stage"] == .string("applied"), "nothing moved")
        #expect(try env.move(apps[1], "screening", recruiter, extra: #","rejection_reason_id":\#(reasons[0])"#).status == 422, "a reason only with rejected")

        let mailBefore = try env.count("/api/notifications", admin)
        let quiet = try env.move(apps[1], "rejected", recruiter, extra: #","rejection_reason_id":\#(reasons[2]),"notify_candidate":false,"note":"moved away""#)
        #expect(quiet.status == 200 && quiet["rejection"] == .object([("reason_id", .int(reasons[2])), ("reason", .string("Withdrew")), ("note", .string("moved away"))]),
                "\(quiet.text)")
        #expect(try env.count("/api/notifications", admin) == mailBefore, "notify_candidate false queues no mail to the candidate")
        let events = try env.call("GET", "/api/applications/\(apps[1])/events", token: recruiter).items
        #expect(events.last?["to_stage"] == .string("rejected"), "the move is still recorded")
        let told = try env.move(apps[2], "rejected", recruiter, extra: #","rejection_reason_id":\#(reasons[0])"#)
        #expect(told.status == 200 && told["rejection"]?["reason"] == .string("Not a fit"))
        #expect(try env.count("/api/notifications", admin) == mailBefore + 1, "by default the candidate is told")
        // A later rename does not rewrite why it was rejected.
        #expect(try env.call("PATCH", "/api/rejection-reasons/\(reasons[0])", body: #"{"name":"Not the right fit"}"#, token: admin).status == 200)
        #expect(try env.call("GET", "/api/applications/\(apps[2])", token: recruiter)["rejection"]?["reason"] == .string("Not a fit"))
    }
}
