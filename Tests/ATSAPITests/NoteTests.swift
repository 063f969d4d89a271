import ATSAPI
import ATSDomain
import ATSSupport
import ATSTestSupport
import Testing

@Suite("Notes on applications (both adapters)", .timeLimit(.minutes(3)))
struct NoteTests {
    struct World {
        let env: APITestEnvironment
        let admin: String
        let recruiter: String
        let otherRecruiter: String
        let candidate: String
        let otherCandidate: String
        let applicationID: Int64
        let otherApplicationID: Int64
    }

    private func world(_ backend: Backend) throws -> World {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@n.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@n.io", role: .recruiter)
        let (_, otherRecruiter) = try env.signedIn("rec2@n.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("cand@n.io", role: .candidate)
        let (_, otherCandidate) = try env.signedIn("cand2@n.io", role: .candidate)
        let job = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"Engineer","company":"Acme"}"#, token: recruiter)["id"]?.int)
        let application = try #require(try env.call("POST", "/api/jobs/\(job)/apply", token: candidate)["id"]?.int)
        let other = try #require(try env.call("POST", "/api/jobs/\(job)/apply", token: otherCandidate)["id"]?.int)
        return World(env: env, admin: admin, recruiter: recruiter, otherRecruiter: otherRecruiter, candidate: candidate, otherCandidate: otherCandidate,
                     applicationID: application, otherApplicationID: other)
    }

    @Test("staff write and read notes, oldest first and paginated; candidates never see them", arguments: Backend.allCases)
    func createAndList(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let path = "/api/applications/\(w.applicationID)/notes"
        let first = try env.call("POST", path, body: #"{"body":"  Strong on systems; ask about Rust  "}"#, token: w.recruiter)
        #expect(first.status == 201, "\(first.text)")
        let firstID = try #require(first["id"]?.int)
        #expect(first.header("Location") == "/api/notes/\(firstID)")
        #expect(first["body"] == .string("Strong on systems; ask about Rust") && first["application_id"] == .int(w.applicationID))
        #expect(first["author_id"]?.int != nil && first["created_at"]?.string != nil)
        #expect(try env.call("POST", path, body: #"{"body":"Second"}"#, token: w.admin).status == 201)
        #expect(try env.call("POST", path, body: #"{"body":"Third"}"#, token: w.otherRecruiter).status == 201)

        let list = try env.call("GET", path, token: w.recruiter)
        #expect(list.status == 200 && list.header("X-Total-Count") == "3")
        #expect(list.items.compactMap { $0["body"]?.string } == ["Strong on systems; ask about Rust", "Second", "Third"], "oldest first")
        let page = try env.call("GET", path + "?limit=1&offset=1", token: w.admin)
        #expect(page.items.compactMap { $0["body"]?.string } == ["Second"] && page.header("Link")?.contains("rel=\"next\"") == true)
        #expect(try env.call("GET", path + "?limit=0", token: w.admin).status == 422)
        #expect(try env.call("GET", "/api/applications/\(w.otherApplicationID)/notes", token: w.admin).items.isEmpty)

        // Candidates: 403 on their own application, 404 on anyone else's; anonymous 401.
        #expect(try env.call("GET", path, token: w.candidate).status == 403)
        #expect(try env.call("POST", path, body: #"{"body":"Me"}"#, token: w.candidate).status == 403)
        #expect(try env.call("GET", path, token: w.otherCandidate).status == 404)
        #expect(try env.call("POST", path, body: #"{"body":"Me"}"#, token: w.otherCandidate).status == 404)
        #expect(try env.call("DELETE", "/api/notes/\(firstID)", token: w.candidate).status == 404)
        #expect(try env.call("GET", path).status == 401)
        #expect(try env.call("POST", path, body: #"{"body":"x"}"#).status == 401)
        #expect(try env.call("DELETE", "/api/notes/\(firstID)").status == 401)
        // Nor do notes leak through the application or its history.
        let application = try env.call("GET", "/api/applications/\(w.applicationID)", token: w.candidate)
        #expect(application.status == 200 && !application.text.contains("Strong on systems"))
        #expect(!(try env.call("GET", "/api/applications/\(w.applicationID)/events", token: w.candidate).text.contains("Strong on systems")))
        #expect(try env.call("GET", "/api/applications/999999/notes", token: w.admin).status == 404)
        #expect(try env.call("POST", "/api/applications/abc/notes", body: #"{"body":"x"}"#, token: w.admin).status == 404)
    }

    @Test("bad bodies are 422 naming the field; not JSON is 415", arguments: Backend.allCases)
    func validation(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let path = "/api/applications/\(w.applicationID)/notes"
        for body in [#"{}"#, #"{"body":""}"#, #"{"body":"   "}"#, #"{"body":null}"#, #"{"body":42}"#,
                     #"{"body":"\#(String(repeating: "x", count: 10_001))"}"#] {
            let response = try env.call("POST", path, body: body, token: w.recruiter)
            #expect(response.status == 422 && response.text.contains("\"field\":\"body\""), "\(body.prefix(30)): \(response.status)")
        }
        #expect(try env.call("POST", path, body: #"{"body":"\#(String(repeating: "é", count: 10_000))"}"#, token: w.recruiter).status == 201,
                "10,000 code points fit")
        let unknown = try env.call("POST", path, body: #"{"body":"x","pinned":true}"#, token: w.recruiter)
        #expect(unknown.status == 422 && unknown.text.contains("pinned"))
        #expect(try env.call("POST", path, body: "body=x", token: w.recruiter, contentType: "text/plain").status == 415)
    }

    @Test("delete: the author or an admin (204); other staff 403; gone is 404", arguments: Backend.allCases)
    func delete(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let path = "/api/applications/\(w.applicationID)/notes"
        let mine = try #require(try env.call("POST", path, body: #"{"body":"mine"}"#, token: w.recruiter)["id"]?.int)
        let another = try #require(try env.call("POST", path, body: #"{"body":"another"}"#, token: w.recruiter)["id"]?.int)
        #expect(try env.call("DELETE", "/api/notes/\(mine)", token: w.otherRecruiter).status == 403)
        #expect(try env.call("DELETE", "/api/notes/\(mine)", token: w.recruiter).status == 204)
        #expect(try env.call("DELETE", "/api/notes/\(mine)", token: w.recruiter).status == 404)
        #expect(try env.call("DELETE", "/api/notes/\(another)", token: w.admin).status == 204)
        #expect(try env.call("GET", path, token: w.admin).items.isEmpty)
        #expect(try env.call("DELETE", "/api/notes/0", token: w.admin).status == 404)
    }

    @Test("tenants: another tenant's ids are 404", arguments: Backend.allCases)
    func tenantIsolation(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let note = try #require(try env.call("POST", "/api/applications/\(w.applicationID)/notes", body: #"{"body":"secret"}"#, token: w.recruiter)["id"]?.int)
        try env.createTenant("other")
        let (_, otherAdmin) = try env.signedIn("admin@other.io", role: .admin, tenant: "other")
        #expect(try env.call("GET", "/api/applications/\(w.applicationID)/notes", token: otherAdmin, tenant: "other").status == 404)
        #expect(try env.call("POST", "/api/applications/\(w.applicationID)/notes", body: #"{"body":"x"}"#, token: otherAdmin, tenant: "other").status == 404)
        #expect(try env.call("DELETE", "/api/notes/\(note)", token: otherAdmin, tenant: "other").status == 404)
        #expect(try env.call("GET", "/api/applications/\(w.applicationID)/notes", token: w.admin).header("X-Total-Count") == "1")
    }
}
