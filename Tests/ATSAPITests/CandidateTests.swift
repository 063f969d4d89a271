import ATSAPI
import ATSDomain
import ATSSupport
import ATSTestSupport
import Testing

@Suite("Candidates, the talent pool, over HTTP (both adapters)", .timeLimit(.minutes(3)))
struct CandidateTests {
    /// The fields a 422 names.
    private func fields(_ response: APITestEnvironment.Response) -> [String] {
        guard case .array(let errors)? = response["errors"] else { return [] }
        return errors.compactMap { $0["field"]?.string }
    }

    private func create(_ env: APITestEnvironment, _ body: String, token: String, tenant: String? = nil) throws -> Int64 {
        let response = try env.call("POST", "/api/candidates", body: body, token: token, tenant: tenant)
        #expect(response.status == 201, "\(response.text)")
        return try #require(response["id"]?.int)
    }

    private func makeJob(_ env: APITestEnvironment, token: String, status: String = "open", tenant: String? = nil) throws -> Int64 {
        try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C","status":"\#(status)"}"#, token: token, tenant: tenant)["id"]?.int)
    }

    @Test("roles × endpoints; another tenant's ids are 404 and its tokens 401", arguments: Backend.allCases)
    func roles(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let target = try create(env, #"{"email":"t@x.io","full_name":"T"}"#, token: recruiter)
        let job = try makeJob(env, token: recruiter)
        let tokens: [String: String?] = ["anonymous": nil, "candidate": candidate, "recruiter": recruiter, "admin": admin]
        var n = 0
        func dup() throws -> Int64 {
            n += 1
            return try create(env, #"{"email":"d\#(n)@x.io","full_name":"D"}"#, token: admin)
        }
        for who in ["anonymous", "candidate", "recruiter", "admin"] {
            let token = tokens[who] ?? nil
            let staff = who == "recruiter" || who == "admin"
            let denied = who == "anonymous" ? 401 : 403
            let duplicate = try dup()
            let applicant = try dup()
            let cases: [(String, String, String?, Int)] = [
                ("GET", "/api/candidates", nil, 200),
                ("POST", "/api/candidates", #"{"email":"new-\#(who)@x.io","full_name":"N"}"#, 201),
                ("GET", "/api/candidates/\(target)", nil, 200),
                ("PATCH", "/api/candidates/\(target)", #"{"location":"Berlin"}"#, 200),
                ("POST", "/api/candidates/\(target)/merge", #"{"duplicate_id":\#(duplicate)}"#, 200),
                ("POST", "/api/jobs/\(job)/applications", #"{"candidate_id":\#(applicant)}"#, 201),
            ]
            for (method, path, body, ok) in cases {
                let response = try env.call(method, path, body: body, token: token)
                #expect(response.status == (staff ? ok : denied), "\(who) \(method) \(path): \(response.text)")
                if !staff { #expect(response.header("Content-Type") == "application/problem+json") }
            }
        }
        // Another tenant: its candidate ids are 404 here, its tokens 401.
        try env.createTenant("other")
        let (_, otherAdmin) = try env.signedIn("admin@other.io", role: .admin, tenant: "other")
        let foreign = try create(env, #"{"email":"f@other.io","full_name":"F"}"#, token: otherAdmin, tenant: "other")
        let foreignJob = try makeJob(env, token: otherAdmin, tenant: "other")
        let local = try create(env, #"{"email":"local@x.io","full_name":"L"}"#, token: admin)
        #expect(try env.call("GET", "/api/candidates/\(foreign)", token: admin).status == 404)
        #expect(try env.call("PATCH", "/api/candidates/\(foreign)", body: #"{"phone":"1"}"#, token: admin).status == 404)
        #expect(try env.call("POST", "/api/candidates/\(foreign)/merge", body: #"{"duplicate_id":\#(local)}"#, token: admin).status == 404)
        #expect(try env.call("POST", "/api/candidates/\(local)/merge", body: #"{"duplicate_id":\#(foreign)}"#, token: admin).status == 404)
        #expect(try env.call("POST", "/api/jobs/\(foreignJob)/applications", body: #"{"candidate_id":\#(local)}"#, token: admin).status == 404)
        #expect(try env.call("POST", "/api/jobs/\(job)/applications", body: #"{"candidate_id":\#(foreign)}"#, token: admin).status == 422)
        #expect(try env.call("GET", "/api/candidates", token: admin).items.allSatisfy { $0["id"]?.int != foreign })
        #expect(try env.call("GET", "/api/candidates?q=other.io", token: admin).items.isEmpty)
        for (method, path) in [("GET", "/api/candidates"), ("GET", "/api/candidates/\(local)")] {
            #expect(try env.call(method, path, token: otherAdmin).status == 401, "\(method) \(path) with another tenant's token")
        }
        #expect(try env.call("GET", "/api/candidates/abc", token: admin).status == 404)
    }

    @Test("create: no password, normalized profile; dedupe 409 with existing_id (not for staff); bad input per field", arguments: Backend.allCases)
    func createCandidate(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let created = try env.call("POST", "/api/candidates", body: #"""
            {"email":" Ada@Example.COM ","full_name":"Ada Lovelace","phone":"+44 1","location":"London","links":["https://ada.example"],
             "tags":[" Swift ","swift","Math"],"source":"referral","invite":false}
            """#, token: recruiter)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created["id"]?.int)
        #expect(created.header("Location") == "/api/candidates/\(id)")
        #expect(created["email"] == .string("ada@example.com") && created["role"] == .string("candidate") && created["has_password"] == .bool(false))
        #expect(created["tags"] == .array([.string("swift"), .string("math")]) && created["links"] == .array([.string("https://ada.example")]))
        #expect(created["source"] == .string("referral") && created["phone"] == .string("+44 1") && created["location"] == .string("London"))
        #expect(try env.call("GET", "/api/candidates/\(id)", token: recruiter).json == created.json)
        // Without a password nobody can log in as them.
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"ada@example.com","password":""}"#).status != 200)

        let duplicate = try env.call("POST", "/api/candidates", body: #"{"email":"ADA@example.com","full_name":"Other Ada"}"#, token: recruiter)
        #expect(duplicate.status == 409 && duplicate["existing_id"] == .int(id), "\(duplicate.text)")
        let staff = try env.call("POST", "/api/candidates", body: #"{"email":"rec@x.io","full_name":"Rec"}"#, token: recruiter)
        #expect(staff.status == 409 && staff["existing_id"] == nil, "\(staff.text)")

        let long = String(repeating: "a", count: 201)
        let tooManyLinks = "[" + (1...11).map { #""https://x.io/\#($0)""# }.joined(separator: ",") + "]"
        let tooManyTags = "[" + (1...51).map { #""t\#($0)""# }.joined(separator: ",") + "]"
        let bad: [(String, String)] = [
            (#"{"full_name":"A"}"#, "email"), (#"{"email":"nope","full_name":"A"}"#, "email"), (#"{"email":42,"full_name":"A"}"#, "email"),
            (#"{"email":"a@x.io"}"#, "full_name"), (#"{"email":"a@x.io","full_name":"  "}"#, "full_name"),
            (#"{"email":"a@x.io","full_name":null}"#, "full_name"), (#"{"email":"a@x.io","full_name":"\#(long)"}"#, "full_name"),
            (#"{"email":"a@x.io","full_name":"A","phone":"\#(String(repeating: "1", count: 51))"}"#, "phone"),
            (#"{"email":"a@x.io","full_name":"A","location":"\#(long)"}"#, "location"),
            (#"{"email":"a@x.io","full_name":"A","links":["ftp://x.io"]}"#, "links"), (#"{"email":"a@x.io","full_name":"A","links":\#(tooManyLinks)}"#, "links"),
            (#"{"email":"a@x.io","full_name":"A","links":"https://x.io"}"#, "links"),
            (#"{"email":"a@x.io","full_name":"A","tags":\#(tooManyTags)}"#, "tags"), (#"{"email":"a@x.io","full_name":"A","tags":[""]}"#, "tags"),
            (#"{"email":"a@x.io","full_name":"A","tags":["\#(String(repeating: "t", count: 51))"]}"#, "tags"),
            (#"{"email":"a@x.io","full_name":"A","source":"\#(String(repeating: "s", count: 101))"}"#, "source"),
            (#"{"email":"a@x.io","full_name":"A","invite":"yes"}"#, "invite"), (#"{"email":"a@x.io","full_name":"A","role":"admin"}"#, "role"),
            (#"{"email":"a@x.io","full_name":"A","password":"password123"}"#, "password"),
        ]
        for (body, field) in bad {
            let response = try env.call("POST", "/api/candidates", body: body, token: recruiter)
            #expect(response.status == 422 && fields(response).contains(field), "\(body): \(response.text)")
        }
        #expect(try env.call("POST", "/api/candidates", body: "[]", token: recruiter).status == 422)
        #expect(try env.call("POST", "/api/candidates", body: "{", token: recruiter).status == 400)
        #expect(try env.call("GET", "/api/candidates?q=a@x.io", token: recruiter).items.isEmpty, "nothing refused was created")
    }

    @Test("GET and PATCH: profile fields only, a non-candidate is 404, the search follows every change", arguments: Backend.allCases)
    func getAndPatch(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (recruiterUser, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let id = try create(env, #"{"email":"grace@x.io","full_name":"Grace","tags":["cobol"]}"#, token: recruiter)
        #expect(try env.call("GET", "/api/candidates/\(recruiterUser.id)", token: recruiter).status == 404)
        #expect(try env.call("PATCH", "/api/candidates/\(recruiterUser.id)", body: #"{"phone":"1"}"#, token: recruiter).status == 404)
        #expect(try env.call("GET", "/api/candidates/999999", token: recruiter).status == 404)

        let patched = try env.call("PATCH", "/api/candidates/\(id)", body: #"""
            {"full_name":"Grace Hopper","phone":"+1 555","location":null,"links":["http://navy.example"],"tags":["Compilers","Navy"],"source":"event"}
            """#, token: recruiter)
        #expect(patched.status == 200, "\(patched.text)")
        #expect(patched["full_name"] == .string("Grace Hopper") && patched["phone"] == .string("+1 555") && patched["location"] == .null)
        #expect(patched["tags"] == .array([.string("compilers"), .string("navy")]) && patched["source"] == .string("event"))
        #expect(patched["email"] == .string("grace@x.io") && patched["role"] == .string("candidate"))
        #expect(try env.call("PATCH", "/api/candidates/\(id)", token: recruiter)["full_name"] == .string("Grace Hopper"), "an empty body changes nothing")

        // The search index follows: old tag gone, new tag, name and phone found.
        #expect(try env.call("GET", "/api/candidates?tag=cobol", token: recruiter).items.isEmpty)
        #expect(try env.call("GET", "/api/candidates?tag=navy", token: recruiter).items.map { $0["id"]?.int } == [id])
        #expect(try env.call("GET", "/api/candidates?q=HOPPER", token: recruiter).items.map { $0["id"]?.int } == [id])
        #expect(try env.call("GET", "/api/candidates?q=555", token: recruiter).items.map { $0["id"]?.int } == [id])

        let bad: [(String, String)] = [
            (#"{"role":"admin"}"#, "role"), (#"{"email":"new@x.io"}"#, "email"), (#"{"is_active":false}"#, "is_active"),
            (#"{"full_name":null}"#, "full_name"), (#"{"full_name":""}"#, "full_name"), (#"{"phone":5}"#, "phone"),
            (#"{"links":[1]}"#, "links"), (#"{"tags":null}"#, "tags"), (#"{"source":"\#(String(repeating: "s", count: 101))"}"#, "source"),
        ]
        for (body, field) in bad {
            let response = try env.call("PATCH", "/api/candidates/\(id)", body: body, token: recruiter)
            #expect(response.status == 422 && fields(response).contains(field), "\(body): \(response.text)")
        }
    }

    @Test("list: only candidates, newest first; q, repeated tag (all must match), source, job_id; paging headers", arguments: Backend.allCases)
    func listFilters(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let signup = try env.call("POST", "/api/auth/signup", body: #"{"email":"self@x.io","password":"password123","full_name":"Self Signed"}"#)
        let selfID = try #require(signup["id"]?.int)
        let a = try create(env, #"{"email":"anna.smith@mail.io","full_name":"Anna Smith","phone":"+49 170 1234","tags":["swift","senior"],"source":"referral"}"#, token: recruiter)
        let b = try create(env, #"{"email":"bob@corp.io","full_name":"Bob 100% Jones","tags":["swift"],"source":"linkedin"}"#, token: recruiter)
        let c = try create(env, #"{"email":"carol@corp.io","full_name":"Carol","tags":["go","senior"],"source":"referral"}"#, token: recruiter)
        func ids(_ query: String) throws -> [Int64] {
            let response = try env.call("GET", "/api/candidates\(query)", token: recruiter)
            #expect(response.status == 200, "\(query): \(response.text)")
            return response.items.compactMap { $0["id"]?.int }
        }
        #expect(try ids("") == [c, b, a, selfID], "candidates only (no staff), newest first")
        #expect(try ids("?q=SMITH") == [a], "name, ignoring case")
        #expect(try ids("?q=corp.io") == [c, b], "email")
        #expect(try ids("?q=170%201234") == [a], "phone")
        #expect(try ids("?q=senio") == [c, a], "a tag")
        #expect(try ids("?q=bo") == [b], "under three characters")
        #expect(try ids("?q=0%25") == [b], "% is a literal")
        #expect(try ids("?q=_") == [], "_ is a literal")
        #expect(try ids("?q=nobody") == [])
        #expect(try ids("?q=smith%20anna") == [], "no match across fields")
        #expect(try ids("?tag=swift") == [b, a])
        #expect(try ids("?tag=Swift&tag=senior") == [a], "every tag must match")
        #expect(try ids("?tag=swif") == [], "tags match whole")
        #expect(try ids("?tag=senior&tag=go&q=carol") == [c])
        #expect(try ids("?source=referral") == [c, a])
        #expect(try ids("?source=refer") == [], "source is exact")

        let job = try makeJob(env, token: recruiter)
        #expect(try env.call("POST", "/api/jobs/\(job)/applications", body: #"{"candidate_id":\#(b)}"#, token: recruiter).status == 201)
        #expect(try env.call("POST", "/api/jobs/\(job)/apply", body: "{}", token: try env.login("self@x.io")).status == 201)
        #expect(try ids("?job_id=\(job)") == [b, selfID])
        #expect(try ids("?job_id=\(job)&tag=swift") == [b])
        #expect(try ids("?job_id=999999") == [])
        #expect(try env.call("GET", "/api/candidates?job_id=abc", token: recruiter).status == 422)

        let page = try env.call("GET", "/api/candidates?limit=2&tag=senior&offset=0", token: recruiter)
        #expect(page.header("X-Total-Count") == "2" && page.items.count == 2 && page.header("Link") == nil)
        let first = try env.call("GET", "/api/candidates?limit=2", token: recruiter)
        #expect(first.header("X-Total-Count") == "4" && first.items.count == 2)
        #expect(first.header("Link") == "</api/candidates?limit=2&offset=2>; rel=\"next\"")
        let second = try env.call("GET", "/api/candidates?q=o&limit=1&offset=1", token: recruiter)
        #expect(second.header("X-Total-Count") == "4", "every email has an o")
        #expect(second.header("Link") == "</api/candidates?q=o&limit=1&offset=2>; rel=\"next\", </api/candidates?q=o&limit=1&offset=0>; rel=\"prev\"")
        #expect(try env.call("GET", "/api/candidates?limit=0", token: recruiter).status == 422)
    }

    @Test("merge: applications and events move, tags and links union, the duplicate is anonymized and cannot log in", arguments: Backend.allCases)
    func merge(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let survivor = try create(env, #"{"email":"keep@x.io","full_name":"Keep","links":["https://a.io"],"tags":["swift"]}"#, token: recruiter)
        let signup = try env.call("POST", "/api/auth/signup", body: #"{"email":"dup@x.io","password":"password123","full_name":"Dup"}"#)
        let duplicate = try #require(signup["id"]?.int)
        let duplicateToken = try env.login("dup@x.io")
        #expect(try env.call("PATCH", "/api/candidates/\(duplicate)", body: #"{"links":["https://a.io","https://b.io"],"tags":["rust","swift"]}"#, token: recruiter).status == 200)
        let jobA = try makeJob(env, token: recruiter)
        let jobB = try makeJob(env, token: recruiter)
        let app1 = try #require(try env.call("POST", "/api/jobs/\(jobA)/apply", body: #"{"cover_letter":"mine"}"#, token: duplicateToken)["id"]?.int)
        #expect(try env.call("PATCH", "/api/applications/\(app1)/stage", body: #"{"stage":"screening"}"#, token: recruiter).status == 200)
        let app2 = try #require(try env.call("POST", "/api/jobs/\(jobB)/applications", body: #"{"candidate_id":\#(survivor)}"#, token: recruiter)["id"]?.int)

        let merged = try env.call("POST", "/api/candidates/\(survivor)/merge", body: #"{"duplicate_id":\#(duplicate)}"#, token: recruiter)
        #expect(merged.status == 200, "\(merged.text)")
        #expect(merged["id"] == .int(survivor) && merged["email"] == .string("keep@x.io"))
        #expect(merged["tags"] == .array([.string("swift"), .string("rust")]))
        #expect(merged["links"] == .array([.string("https://a.io"), .string("https://b.io")]))
        let moved = try env.call("GET", "/api/applications/\(app1)", token: recruiter)
        #expect(moved["candidate_id"] == .int(survivor) && moved["stage"] == .string("screening") && moved["cover_letter"] == .string("mine"))
        #expect(moved.header("ETag") == "\"3\"", "the move is a change of the application")
        #expect(try env.call("GET", "/api/applications/\(app1)/events", token: recruiter).items.map { $0["to_stage"]?.string } == ["applied", "screening"])
        #expect(try env.call("GET", "/api/candidates?job_id=\(jobA)", token: recruiter).items.map { $0["id"]?.int } == [survivor])
        #expect(try env.call("GET", "/api/applications/\(app2)", token: recruiter)["candidate_id"] == .int(survivor))

        let gone = try env.call("GET", "/api/candidates/\(duplicate)", token: admin)
        #expect(gone["email"] == .string("anonymized-\(duplicate)@invalid") && gone["is_active"] == .bool(false) && gone["full_name"] == .null)
        #expect(gone["tags"] == .array([]) && gone["links"] == .array([]))
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"dup@x.io","password":"password123"}"#).status == 401)
        #expect(try env.call("GET", "/api/auth/me", token: duplicateToken).status == 401)
        #expect(try env.call("GET", "/api/candidates?q=dup@x.io", token: recruiter).items.isEmpty, "the search forgot the old email")
        #expect(try env.call("GET", "/api/candidates?tag=rust", token: recruiter).items.map { $0["id"]?.int } == [survivor])

        // 422: into itself, a non-candidate either way; 404: unknown ids.
        let other = try create(env, #"{"email":"o@x.io","full_name":"O"}"#, token: recruiter)
        let (staffUser, _) = try env.signedIn("rec2@x.io", role: .recruiter)
        for (path, body, status) in [
            ("/api/candidates/\(other)/merge", #"{"duplicate_id":\#(other)}"#, 422),
            ("/api/candidates/\(other)/merge", #"{"duplicate_id":\#(staffUser.id)}"#, 422),
            ("/api/candidates/\(staffUser.id)/merge", #"{"duplicate_id":\#(other)}"#, 422),
            ("/api/candidates/\(other)/merge", #"{"duplicate_id":999999}"#, 404),
            ("/api/candidates/999999/merge", #"{"duplicate_id":\#(other)}"#, 404),
            ("/api/candidates/\(other)/merge", #"{}"#, 422), ("/api/candidates/\(other)/merge", #"{"duplicate_id":"1"}"#, 422),
            ("/api/candidates/\(other)/merge", #"{"duplicate_id":0}"#, 422),
            ("/api/candidates/\(other)/merge", #"{"duplicate_id":\#(survivor),"extra":1}"#, 422),
        ] {
            let response = try env.call("POST", path, body: body, token: recruiter)
            #expect(response.status == status, "\(path) \(body): \(response.text)")
            if status == 422 { #expect(!fields(response).isEmpty) }
            if status == 422 && !body.contains("extra") { #expect(fields(response) == ["duplicate_id"], "\(response.text)") }
        }
        #expect(try env.call("GET", "/api/candidates/\(other)", token: recruiter)["is_active"] == .bool(true))
        // An anonymized candidate is merged neither way.
        for (path, body) in [("/api/candidates/\(other)/merge", #"{"duplicate_id":\#(duplicate)}"#), ("/api/candidates/\(duplicate)/merge", #"{"duplicate_id":\#(other)}"#)] {
            let response = try env.call("POST", path, body: body, token: recruiter)
            #expect(response.status == 422 && fields(response) == ["duplicate_id"], "\(path): \(response.text)")
        }
    }

    @Test("two merges of one pair in opposite directions at once: one wins, the other is 422", arguments: Backend.allCases)
    func concurrentMerges(_ backend: Backend) async throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        for round in 0..<3 {
            let a = try create(env, #"{"email":"a\#(round)@x.io","full_name":"A"}"#, token: recruiter)
            let b = try create(env, #"{"email":"b\#(round)@x.io","full_name":"B"}"#, token: recruiter)
            let statuses = await APIEndToEndTests.parallel(2) { i in
                let (survivor, duplicate) = i == 0 ? (a, b) : (b, a)
                return (try? env.call("POST", "/api/candidates/\(survivor)/merge", body: #"{"duplicate_id":\#(duplicate)}"#, token: recruiter).status) ?? 0
            }
            #expect(statuses.sorted() == [200, 422], "\(statuses)")
            let active = try [a, b].filter { try env.call("GET", "/api/candidates/\($0)", token: recruiter)["is_active"] == .bool(true) }
            #expect(active.count == 1)
        }
    }

    @Test("merge conflict: both applied to a job is 409 with job_ids and nothing changes", arguments: Backend.allCases)
    func mergeConflict(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let a = try create(env, #"{"email":"a@x.io","full_name":"A","tags":["one"]}"#, token: recruiter)
        let b = try create(env, #"{"email":"b@x.io","full_name":"B","tags":["two"],"links":["https://b.io"]}"#, token: recruiter)
        let jobs = try (0..<3).map { _ in try makeJob(env, token: recruiter) }
        var applications: [Int64] = []
        for (job, candidate) in [(jobs[0], a), (jobs[0], b), (jobs[1], b), (jobs[2], a), (jobs[2], b)] {
            let r = try env.call("POST", "/api/jobs/\(job)/applications", body: #"{"candidate_id":\#(candidate)}"#, token: recruiter)
            applications.append(try #require(r["id"]?.int))
        }
        let before = try [a, b].map { try env.call("GET", "/api/candidates/\($0)", token: recruiter).json }
        let appsBefore = try applications.map { try env.call("GET", "/api/applications/\($0)", token: recruiter).json }
        let refused = try env.call("POST", "/api/candidates/\(a)/merge", body: #"{"duplicate_id":\#(b)}"#, token: recruiter)
        #expect(refused.status == 409 && refused["job_ids"] == .array([.int(jobs[0]), .int(jobs[2])]), "\(refused.text)")
        #expect(refused.header("Content-Type") == "application/problem+json")
        #expect(try [a, b].map { try env.call("GET", "/api/candidates/\($0)", token: recruiter).json } == before)
        #expect(try applications.map { try env.call("GET", "/api/applications/\($0)", token: recruiter).json } == appsBefore)
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"b@x.io","password":"x"}"#).status == 401)
    }

    @Test("staff add an application: source, first stage, drafts ok, closed 409, twice 409, candidate mail only on request", arguments: Backend.allCases)
    func staffApplication(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (recruiterUser, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let quiet = try create(env, #"{"email":"quiet@x.io","full_name":"Quiet"}"#, token: recruiter)
        let told = try create(env, #"{"email":"told@x.io","full_name":"Told"}"#, token: recruiter)
        let open = try makeJob(env, token: recruiter)
        let draft = try makeJob(env, token: recruiter, status: "draft")
        let closed = try makeJob(env, token: recruiter, status: "closed")

        let added = try env.call("POST", "/api/jobs/\(open)/applications", body: #"""
            {"candidate_id":\#(quiet),"source":"referral","cover_letter":"Met at a conference","resume_url":"https://cv.example/q","notify_candidate":false}
            """#, token: recruiter)
        #expect(added.status == 201, "\(added.text)")
        let id = try #require(added["id"]?.int)
        #expect(added.header("Location") == "/api/applications/\(id)" && added.header("ETag") == "\"1\"")
        #expect(added["stage"] == .string("applied") && added["source"] == .string("referral") && added["candidate_id"] == .int(quiet))
        #expect(added["rejection"] == .null && added["resume_document_id"] == .null && added["cover_letter"] == .string("Met at a conference"))
        let events = try env.call("GET", "/api/applications/\(id)/events", token: recruiter)
        #expect(events.items.first?["actor_id"] == .int(recruiterUser.id.rawValue), "the staff member is the actor")
        #expect(try env.call("POST", "/api/jobs/\(draft)/applications", body: #"{"candidate_id":\#(told)}"#, token: recruiter).status == 201, "drafts are fine")
        #expect(try env.call("POST", "/api/jobs/\(open)/applications", body: #"{"candidate_id":\#(told)}"#, token: recruiter)["source"] == .null)
        #expect(try env.call("POST", "/api/jobs/\(closed)/applications", body: #"{"candidate_id":\#(told)}"#, token: recruiter).status == 409)
        #expect(try env.call("POST", "/api/jobs/\(open)/applications", body: #"{"candidate_id":\#(quiet)}"#, token: recruiter).status == 409, "twice")
        #expect(try env.call("POST", "/api/jobs/999999/applications", body: #"{"candidate_id":\#(quiet)}"#, token: recruiter).status == 404)

        // Mail: the job creator is alerted each time; the candidate only with notify_candidate true.
        let toldJob = try makeJob(env, token: recruiter)
        #expect(try env.call("POST", "/api/jobs/\(toldJob)/applications", body: #"{"candidate_id":\#(told),"notify_candidate":true}"#, token: recruiter).status == 201)
        let mail = try env.call("GET", "/api/notifications?limit=100", token: admin).items
        let received = mail.filter { $0["kind"] == .string("application.received") }.compactMap { $0["recipient"]?.string }
        #expect(received == ["told@x.io"], "\(mail)")
        #expect(mail.filter { $0["kind"] == .string("application.new_for_job") && $0["recipient"] == .string("rec@x.io") }.count == 4)

        // A candidate's own application has no source.
        let (_, candidate) = try env.signedIn("self@x.io", role: .candidate)
        let own = try env.call("POST", "/api/jobs/\(open)/apply", body: "{}", token: candidate)
        #expect(own.status == 201 && own["source"] == .null && own["rejection"] == .null && own["resume_document_id"] == .null)

        let (staffUser, _) = try env.signedIn("rec2@x.io", role: .recruiter)
        let other = try makeJob(env, token: recruiter)
        let bad: [(String, String)] = [
            (#"{}"#, "candidate_id"), (#"{"candidate_id":"\#(quiet)"}"#, "candidate_id"), (#"{"candidate_id":-1}"#, "candidate_id"),
            (#"{"candidate_id":\#(staffUser.id.rawValue)}"#, "candidate_id"), (#"{"candidate_id":999999}"#, "candidate_id"),
            (#"{"candidate_id":\#(quiet),"resume_document_id":1}"#, "resume_document_id"),
            (#"{"candidate_id":\#(quiet),"resume_document_id":"x"}"#, "resume_document_id"),
            (#"{"candidate_id":\#(quiet),"resume_url":"ftp://x"}"#, "resume_url"),
            (#"{"candidate_id":\#(quiet),"source":"\#(String(repeating: "s", count: 101))"}"#, "source"),
            (#"{"candidate_id":\#(quiet),"cover_letter":7}"#, "cover_letter"),
            (#"{"candidate_id":\#(quiet),"notify_candidate":"no"}"#, "notify_candidate"), (#"{"candidate_id":\#(quiet),"stage":"offer"}"#, "stage"),
        ]
        for (body, field) in bad {
            let response = try env.call("POST", "/api/jobs/\(other)/applications", body: body, token: recruiter)
            #expect(response.status == 422 && fields(response) == [field], "\(body): \(response.text)")
        }
        #expect(try env.call("GET", "/api/jobs/\(other)/applications", token: recruiter).items.isEmpty)
    }
}
