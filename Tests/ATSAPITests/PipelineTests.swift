import ATSAPI
import ATSDomain
import ATSSupport
import ATSFeatures
import ATSPersistence
import ATSTestSupport
import Testing

/// Helpers shared by the workflow suites (pipelines, rejection reasons, bulk moves).
extension APITestEnvironment {
    func job(_ token: String, tenant: String? = nil) throws -> Int64 {
        let created = try call("POST", "/api/jobs", body: #"{"title":"T","company":"C"}"#, token: token, tenant: tenant)
        return try #require(created["id"]?.int, "\(created.text)")
    }

    /// Candidates created straight in the database, logged in: their tokens.
    func candidates(_ count: Int, prefix: String, tenant: String = "default") throws -> [String] {
        try (0..<count).map { i in try signedIn("\(prefix)\(i)@x.io", role: .candidate, tenant: tenant).1 }
    }

    func apply(_ job: Int64, _ candidate: String, tenant: String? = nil) throws -> Int64 {
        let applied = try call("POST", "/api/jobs/\(job)/apply", body: "{}", token: candidate, tenant: tenant)
        return try #require(applied["id"]?.int, "\(applied.text)")
    }

    func move(_ application: Int64, _ stage: String, _ token: String, extra: String = "", tenant: String? = nil) throws -> Response {
        try call("PATCH", "/api/applications/\(application)/stage", body: #"{"stage":"\#(stage)"\#(extra)}"#, token: token, tenant: tenant)
    }

    func count(_ path: String, _ token: String, tenant: String? = nil) throws -> Int {
        let response = try call("GET", path, token: token, tenant: tenant)
        return Int(response.header("X-Total-Count") ?? "") ?? -1
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] } else { return nil }
    }

    var itemCount: Int? { if case .array(let items) = self { return items.count } else { return nil } }
}

/// A pipeline body: `(key, name, kind)` stages and the flags.
func pipelineBody(_ stages: [(String, String, String)], skip: Bool = false, back: Bool = false, extra: String = "") -> String {
    let list = stages.map { #"{"key":"\#($0.0)","name":"\#($0.1)","kind":"\#($0.2)"}"# }.joined(separator: ",")
    return #"{"stages":[\#(list)],"allow_skip":\#(skip),"allow_back":\#(back)\#(extra)}"#
}

@Suite("Pipelines over HTTP (both adapters)", .timeLimit(.minutes(5)))
struct PipelineAPITests {
    static let custom: [(String, String, String)] = [
        ("new", "New", "applied"), ("phone", "Phone screen", "screening"), ("on-site_1", "On-site", "interview"), ("offer", "Offer", "offer"), ("done", "Hired", "hired"),
    ]

    /// The rule, restated: the next stage; any later with skip; any earlier with back;
    /// rejected from any non-terminal; the last stage and rejected lead nowhere.
    static func expectedAllowed(from: String, path: [String], skip: Bool, back: Bool) -> [String] {
        guard let i = path.firstIndex(of: from), i < path.count - 1 else { return [] }
        return path.enumerated().filter { j, _ in j == i + 1 || (skip && j > i) || (back && j < i) }.map(\.1) + ["rejected"]
    }

    @Test("every legal and illegal move on a custom pipeline, with and without allow_skip and allow_back", arguments: Backend.allCases)
    func everyMove(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let candidates = try env.candidates(30, prefix: "c")
        let path = Self.custom.map(\.0)
        for (skip, back) in [(false, false), (true, false), (false, true), (true, true)] {
            let job = try env.job(recruiter)
            let put = try env.call("PUT", "/api/jobs/\(job)/pipeline", body: pipelineBody(Self.custom, skip: skip, back: back), token: recruiter)
            #expect(put.status == 200 && put["allow_skip"] == .bool(skip) && put["allow_back"] == .bool(back), "\(put.text)")
            #expect(put["stages"]?[0]?["key"] == .string("new") && put["stages"]?[4]?["kind"] == .string("hired"))
            var next = 0
            /// A fresh application, moved to `stage` step by step.
            func application(at stage: String) throws -> Int64 {
                let id = try env.apply(job, candidates[next])
                next += 1
                let steps: [String] = stage == "rejected" ? ["rejected"] : Array(path.prefix((path.firstIndex(of: stage) ?? 0) + 1).dropFirst())
                for step in steps { #expect(try env.move(id, step, recruiter).status == 200, "\(step)") }
                return id
            }
            let first = try application(at: path[0])
            #expect(try env.call("GET", "/api/applications/\(first)", token: recruiter)["stage"] == .string("new"), "a new application starts in the first stage")
            for from in path + ["rejected"] {
                let expected = Self.expectedAllowed(from: from, path: path, skip: skip, back: back)
                let stuck = try application(at: from)
                for target in path + ["rejected", "not-on-pipeline"] where !expected.contains(target) {
                    let refused = try env.move(stuck, target, recruiter)
                    #expect(refused.status == 409, "\(from) → \(target) skip \(skip) back \(back)")
                    #expect(refused["allowed"] == .array(expected.map(JSONValue.string)), "\(from) → \(target): \(refused.text)")
                }
                for target in expected {
                    let moved = try env.move(try application(at: from), target, recruiter)
                    #expect(moved.status == 200 && moved["stage"] == .string(target), "\(from) → \(target) skip \(skip) back \(back): \(moved.text)")
                }
            }
            #expect(try env.move(first, "Not A Key", recruiter).status == 422, "a stage that is not a key at all is a field error")
        }
    }

    @Test("pipeline validation: each rule is a 422 naming the field", arguments: Backend.allCases)
    func validation(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let a = ("a", "A", "applied"), h = ("h", "H", "hired")
        let tooMany = [a] + (1...19).map { ("s\($0)", "S", "interview") } + [h]
        let cases: [(String, String)] = [
            (pipelineBody([h]), "stages"),
            (pipelineBody(tooMany), "stages"),
            (pipelineBody([("a", "A", "screening"), h]), "stages[0].kind"),
            (pipelineBody([a, ("o", "O", "offer")]), "stages[1].kind"),
            (pipelineBody([a, ("h1", "H", "hired"), h]), "stages[1].kind"),
            (pipelineBody([a, ("a2", "A", "applied"), h]), "stages[1].kind"),
            (pipelineBody([a, ("x", "X", "rejected"), h]), "stages[1].kind"),
            (pipelineBody([a, ("a", "Again", "interview"), h]), "stages[1].key"),
            (pipelineBody([a, ("rejected", "R", "interview"), h]), "stages[1].key"),
            (pipelineBody([a, ("Bad", "B", "interview"), h]), "stages[1].key"),
            (pipelineBody([a, ("-x", "B", "interview"), h]), "stages[1].key"),
            (pipelineBody([a, ("x", "", "interview"), h]), "stages[1].name"),
            (pipelineBody([a, ("x", String(repeating: "n", count: 101), "interview"), h]), "stages[1].name"),
            (#"{"stages":[{"key":"a","name":"A","kind":"applied"},{"key":"h","name":"H","kind":"hired"}],"allow_back":false}"#, "allow_skip"),
            (pipelineBody([a, h], extra: #","colour":"red""#), "colour"),
        ]
        for (body, field) in cases {
            for path in ["/api/pipeline", "/api/jobs/\(try env.job(admin))/pipeline"] {
                let refused = try env.call("PUT", path, body: body, token: admin)
                #expect(refused.status == 422, "\(path) \(body)")
                #expect(refused["errors"]?[0]?["field"] == .string(field), "\(path) \(body): \(refused.text)")
            }
        }
        let tooManyOK = Array(tooMany.prefix(19)) + [h]
        #expect(try env.call("PUT", "/api/pipeline", body: pipelineBody(tooManyOK), token: admin).status == 200, "20 stages are fine")
        let two = try env.call("PUT", "/api/pipeline", body: pipelineBody([a, h]), token: admin)
        #expect(two.status == 200 && two["stages"]?.itemCount == 2, "2 stages are fine; rejected is implied, not listed")
    }

    @Test("removing a stage that holds applications needs `move`; the moves are events that notify nobody", arguments: Backend.allCases)
    func moveMapping(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (admin, adminToken) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let candidates = try env.candidates(4, prefix: "c")
        let job = try env.job(recruiter)
        let apps = try candidates.map { try env.apply(job, $0) }
        #expect(try env.move(apps[0], "screening", recruiter).status == 200)
        #expect(try env.move(apps[1], "screening", recruiter).status == 200)
        #expect(try env.move(apps[1], "interview", recruiter).status == 200)
        #expect(try env.move(apps[2], "rejected", recruiter).status == 200)
        let notificationsBefore = try env.count("/api/notifications", adminToken)
        let slim = pipelineBody([("applied", "Applied", "applied"), ("talk", "Talk", "interview"), ("hired", "Hired", "hired")])
        let refused = try env.call("PUT", "/api/jobs/\(job)/pipeline", body: slim, token: adminToken)
        #expect(refused.status == 409 && refused["stages"] == .array([.string("screening"), .string("interview")]), "\(refused.text)")
        #expect(try env.call("GET", "/api/jobs/\(job)/pipeline", token: recruiter)["stages"]?.itemCount == 5, "nothing changed")
        // A mapping for a stage that stays, or to a stage not on the new path, is a field error.
        let badMove = try env.call("PUT", "/api/jobs/\(job)/pipeline", body: String(slim.dropLast()) + #","move":{"screening":"offer","interview":"talk"}}"#, token: adminToken)
        #expect(badMove.status == 422 && badMove["errors"]?[0]?["field"] == .string("move.screening"), "\(badMove.text)")

        let withMove = String(slim.dropLast()) + #","move":{"screening":"talk","interview":"talk"}}"#
        let stored = try env.call("PUT", "/api/jobs/\(job)/pipeline", body: withMove, token: adminToken)
        #expect(stored.status == 200 && stored["stages"]?[1]?["key"] == .string("talk"), "\(stored.text)")
        for (app, from) in [(apps[0], "screening"), (apps[1], "interview")] {
            #expect(try env.call("GET", "/api/applications/\(app)", token: recruiter)["stage"] == .string("talk"))
            let last = try env.call("GET", "/api/applications/\(app)/events", token: recruiter).items.last
            #expect(last?["from_stage"] == .string(from) && last?["to_stage"] == .string("talk") && last?["actor_id"] == .int(admin.id.rawValue))
        }
        #expect(try env.call("GET", "/api/applications/\(apps[3])", token: recruiter)["stage"] == .string("applied"))
        #expect(try env.call("GET", "/api/applications/\(apps[2])", token: recruiter)["stage"] == .string("rejected"))
        #expect(try env.count("/api/notifications", adminToken) == notificationsBefore, "pipeline moves notify nobody")
        #expect(try env.move(apps[0], "hired", recruiter).status == 200, "the new pipeline's rule applies")
    }

    @Test("the template is for new jobs; existing jobs keep theirs; who may read and change which", arguments: Backend.allCases)
    func templateAndJobs(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, other) = try env.signedIn("rec2@x.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let standard = try env.call("GET", "/api/pipeline", token: recruiter)
        #expect(standard.status == 200 && standard["allow_skip"] == .bool(false) && standard["allow_back"] == .bool(false))
        #expect(standard["stages"] == .array(zip(["applied", "screening", "interview", "offer", "hired"], ["Applied", "Screening", "Interview", "Offer", "Hired"]).map {
            .object([("key", .string($0.0)), ("name", .string($0.1)), ("kind", .string($0.0))])
        }), "the default is Part 1's: \(standard.text)")
        let old = try env.job(recruiter)
        let custom = pipelineBody([("inbox", "Inbox", "applied"), ("chat", "Chat", "screening"), ("yes", "Yes", "hired")], back: true)
        #expect(try env.call("PUT", "/api/pipeline", body: custom, token: recruiter).status == 403)
        #expect(try env.call("GET", "/api/pipeline", token: candidate).status == 403)
        let stored = try env.call("PUT", "/api/pipeline", body: custom, token: admin)
        #expect(stored.status == 200 && stored["allow_back"] == .bool(true) && stored["stages"]?[0]?["key"] == .string("inbox"))
        #expect(try env.call("GET", "/api/pipeline", token: recruiter).json == stored.json)
        #expect(try env.call("GET", "/api/jobs/\(old)/pipeline", token: recruiter).json == standard.json, "an existing job keeps its pipeline")
        let new = try env.job(recruiter)
        #expect(try env.call("GET", "/api/jobs/\(new)/pipeline", token: recruiter).json == stored.json, "a new job copies the template")
        let app = try env.apply(new, candidate)
        #expect(try env.call("GET", "/api/applications/\(app)", token: candidate)["stage"] == .string("inbox"))
        // The job's pipeline: staff read it; its creator or an admin change it.
        #expect(try env.call("GET", "/api/jobs/\(new)/pipeline", token: candidate).status == 403)
        #expect(try env.call("GET", "/api/jobs/999999/pipeline", token: recruiter).status == 404)
        let renamed = pipelineBody([("inbox", "Incoming", "applied"), ("chat", "Chat", "screening"), ("yes", "Yes", "hired")])
        #expect(try env.call("PUT", "/api/jobs/\(new)/pipeline", body: renamed, token: other).status == 403)
        let byCreator = try env.call("PUT", "/api/jobs/\(new)/pipeline", body: renamed, token: recruiter)
        #expect(byCreator.status == 200 && byCreator["stages"]?[0]?["name"] == .string("Incoming") && byCreator["allow_back"] == .bool(false))
        #expect(try env.call("PUT", "/api/jobs/\(new)/pipeline", body: renamed, token: admin).status == 200)
        #expect(try env.call("GET", "/api/pipeline", token: admin).json == stored.json, "a job's change leaves the template alone")
    }

    @Test("reopen: a rejected application returns to the stage it was rejected from; anything else is 409", arguments: Backend.allCases)
    func reopen(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let job = try env.job(recruiter)
        let app = try env.apply(job, candidate)
        #expect(try env.call("POST", "/api/applications/\(app)/reopen", token: recruiter).status == 409, "not rejected")
        #expect(try env.move(app, "screening", recruiter).status == 200)
        let reasons = try env.call("GET", "/api/rejection-reasons", token: recruiter).items
        let reason = try #require(reasons.first?["id"]?.int)
        let rejected = try env.move(app, "rejected", recruiter, extra: #","rejection_reason_id":\#(reason),"note":"not now""#)
        #expect(rejected.status == 200 && rejected["rejection"] == .object([("reason_id", .int(reason)), ("reason", .string("Not a fit")), ("note", .string("not now"))]),
                "\(rejected.text)")
        #expect(try env.call("POST", "/api/applications/\(app)/reopen", token: candidate).status == 403)
        let reopened = try env.call("POST", "/api/applications/\(app)/reopen", token: recruiter)
        #expect(reopened.status == 200 && reopened["stage"] == .string("screening") && reopened["rejection"] == .null, "\(reopened.text)")
        let last = try env.call("GET", "/api/applications/\(app)/events", token: recruiter).items.last
        #expect(last?["from_stage"] == .string("rejected") && last?["to_stage"] == .string("screening"))
        #expect(try env.call("POST", "/api/applications/\(app)/reopen", token: recruiter).status == 409, "no longer rejected")
        #expect(try env.call("POST", "/api/applications/999999/reopen", token: recruiter).status == 404)
    }

    @Test("another tenant's jobs and applications are 404 on every pipeline route and reopen", arguments: Backend.allCases)
    func tenantIsolation(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let job = try env.job(recruiter)
        let app = try env.apply(job, candidate)
        #expect(try env.move(app, "rejected", recruiter).status == 200)
        _ = try TenantService().create(env.database.database, slug: "other", name: "Other")
        let (_, otherAdmin) = try env.signedIn("admin@other.io", role: .admin, tenant: "other")
        let body = pipelineBody([("applied", "Applied", "applied"), ("hired", "Hired", "hired")])
        #expect(try env.call("GET", "/api/jobs/\(job)/pipeline", token: otherAdmin, tenant: "other").status == 404)
        #expect(try env.call("PUT", "/api/jobs/\(job)/pipeline", body: body, token: otherAdmin, tenant: "other").status == 404)
        #expect(try env.call("POST", "/api/applications/\(app)/reopen", token: otherAdmin, tenant: "other").status == 404)
        #expect(try env.call("PUT", "/api/pipeline", body: body, token: otherAdmin, tenant: "other").status == 200)
        #expect(try env.call("GET", "/api/pipeline", token: recruiter)["stages"]?.itemCount == 5, "the other tenant's template is its own")
        #expect(try env.call("GET", "/api/jobs/\(job)/pipeline", token: recruiter)["stages"]?.itemCount == 5)
    }
}
