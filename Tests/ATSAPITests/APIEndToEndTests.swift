import ATSAPI
import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSTestSupport
import Synchronization
import Testing

@Suite("API end to end over HTTP (both adapters)", .timeLimit(.minutes(3)))
struct APIEndToEndTests {
    @Test("the seed flow: sign up, log in, post a job, apply, move through the stages", arguments: Backend.allCases)
    func seedFlow(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@acme.io", role: .admin)
        let (recruiter, recruiterToken) = try env.signedIn("rec@acme.io", role: .recruiter)

        let signup = try env.call("POST", "/api/auth/signup", body: #"{"email":" Cand@Example.COM ","password":"password123","full_name":"Cand"}"#)
        #expect(signup.status == 201)
        #expect(signup["email"] == .string("cand@example.com") && signup["role"] == .string("candidate") && signup["password_hash"] == nil)
        // The OAuth2 form works too (Swagger UI's Authorize).
        let form = try env.call("POST", "/api/auth/login", body: "username=cand%40example.com&password=password123", contentType: "application/x-www-form-urlencoded")
        #expect(form.status == 200 && form["token_type"] == .string("bearer") && form["expires_in"] == .int(3600))
        let candidate = try env.login("cand@example.com")
        #expect(try env.call("GET", "/api/auth/me", token: candidate)["email"] == .string("cand@example.com"))

        let created = try env.call("POST", "/api/jobs/", body: #"{"title":"Backend Developer","company":"TechCorp","location":"Remote"}"#, token: recruiterToken)
        #expect(created.status == 201 && created["status"] == .string("open") && created["created_by"] == .int(recruiter.id.rawValue))
        let jobID = try #require(created["id"]?.int)
        #expect(created.header("Location") == "/api/jobs/\(jobID)")
        #expect(try env.call("GET", "/api/jobs").items.count == 1, "anonymous users see open jobs, with or without the slash")

        let applied = try env.call("POST", "/api/jobs/\(jobID)/apply", body: #"{"cover_letter":"Hello","resume_url":"https://cv.example/me"}"#, token: candidate)
        #expect(applied.status == 201 && applied["stage"] == .string("applied") && applied.header("ETag") == "\"1\"")
        let appID = try #require(applied["id"]?.int)

        var etag = "\"1\""
        for stage in ["screening", "interview", "offer", "hired"] {
            let moved = try env.call("PATCH", "/api/applications/\(appID)/stage", body: #"{"stage":"\#(stage)"}"#, token: recruiterToken, headers: [("If-Match", etag)])
            #expect(moved.status == 200 && moved["stage"] == .string(stage), "\(moved.text)")
            etag = try #require(moved.header("ETag"))
        }
        let events = try env.call("GET", "/api/applications/\(appID)/events", token: candidate)
        #expect(events.items.map { $0["to_stage"]?.string ?? "" } == ["applied", "screening", "interview", "offer", "hired"])
        #expect(events.items.first?["from_stage"] == .null)
        // Apply queued two notifications, each stage change one more: all in the outbox.
        let notifications = try env.call("GET", "/api/notifications?limit=100", token: admin)
        #expect(notifications.status == 200 && notifications.header("X-Total-Count") == "6", "\(notifications.text)")
        #expect(Set(notifications.items.compactMap { $0["kind"]?.string }) == ["application.received", "application.new_for_job", "application.stage_changed"])
    }

    @Test("every illegal transition is 409 with the legal next stages", arguments: Backend.allCases)
    func illegalTransitions(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let job = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C"}"#, token: recruiter)["id"]?.int)
        var n = 0
        /// An application of a fresh candidate, moved along `path`.
        func application(at path: [Stage]) throws -> Int64 {
            n += 1
            let (_, token) = try env.signedIn("c\(n)@x.io", role: .candidate)
            let id = try #require(try env.call("POST", "/api/jobs/\(job)/apply", body: "{}", token: token)["id"]?.int)
            for stage in path { #expect(try env.call("PATCH", "/api/applications/\(id)/stage", body: #"{"stage":"\#(stage.rawValue)"}"#, token: recruiter).status == 200) }
            return id
        }
        let pathTo: [Stage: [Stage]] = [.applied: [], .screening: [.screening], .interview: [.screening, .interview],
                                       .offer: [.screening, .interview, .offer], .hired: [.screening, .interview, .offer, .hired], .rejected: [.rejected]]
        for from in Stage.allCases {
            let id = try application(at: pathTo[from] ?? [])
            for to in Stage.allCases where !from.canMove(to: to) {
                let refused = try env.call("PATCH", "/api/applications/\(id)/stage", body: #"{"stage":"\#(to.rawValue)"}"#, token: recruiter)
                #expect(refused.status == 409, "\(from) → \(to)")
                #expect(refused["allowed"] == .array(from.allowedNext.map { .string($0.rawValue) }), "\(from) → \(to)")
            }
        }
    }

    @Test("roles × endpoints", arguments: Backend.allCases)
    func roleMatrix(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, otherRecruiter) = try env.signedIn("rec2@x.io", role: .recruiter)
        let (candidateUser, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let (_, otherCandidate) = try env.signedIn("cand2@x.io", role: .candidate)
        let job = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C"}"#, token: recruiter)["id"]?.int)
        let draft = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"D","company":"C","status":"draft"}"#, token: recruiter)["id"]?.int)
        let app = try #require(try env.call("POST", "/api/jobs/\(job)/apply", body: "{}", token: candidate)["id"]?.int)

        let tokens: [String: String?] = ["anonymous": nil, "candidate": candidate, "other candidate": otherCandidate,
                                         "recruiter": recruiter, "other recruiter": otherRecruiter, "admin": admin]
        // (method, path, body, [who: expected status])
        let cases: [(String, String, String?, [String: Int])] = [
            ("GET", "/api/jobs/\(draft)", nil, ["anonymous": 404, "candidate": 404, "recruiter": 200, "admin": 200]),
            ("POST", "/api/jobs", #"{"title":"N","company":"C"}"#, ["anonymous": 401, "candidate": 403, "recruiter": 201, "admin": 201]),
            ("PATCH", "/api/jobs/\(job)", #"{"location":"Remote"}"#, ["anonymous": 401, "candidate": 403, "other recruiter": 403, "recruiter": 200, "admin": 200]),
            ("GET", "/api/applications/\(app)", nil, ["anonymous": 401, "candidate": 200, "other candidate": 404, "recruiter": 200, "admin": 200]),
            ("GET", "/api/applications/\(app)/events", nil, ["anonymous": 401, "candidate": 200, "other candidate": 404, "recruiter": 200]),
            ("GET", "/api/jobs/\(job)/applications", nil, ["anonymous": 401, "candidate": 403, "recruiter": 200, "admin": 200]),
            ("PATCH", "/api/applications/\(app)/stage", #"{"stage":"rejected","note":"no"}"#, ["anonymous": 401, "candidate": 403, "other candidate": 403]),
            ("POST", "/api/jobs/\(job)/apply", "{}", ["anonymous": 401, "recruiter": 403, "admin": 403, "candidate": 409]),
            ("GET", "/api/users", nil, ["anonymous": 401, "candidate": 403, "recruiter": 403, "admin": 200]),
            ("GET", "/api/users/\(candidateUser.id)", nil, ["candidate": 403, "recruiter": 403, "admin": 200]),
            ("POST", "/api/users", #"{"email":"new@x.io","password":"password123","role":"recruiter"}"#, ["anonymous": 401, "candidate": 403, "recruiter": 403, "admin": 201]),
            ("GET", "/api/notifications", nil, ["anonymous": 401, "candidate": 403, "recruiter": 403, "admin": 200]),
            ("POST", "/api/auth/signup", #"{"email":"boss@x.io","password":"password123","role":"admin"}"#, ["anonymous": 403, "candidate": 403, "recruiter": 403]),
            ("DELETE", "/api/jobs/\(job)", nil, ["anonymous": 401, "candidate": 403, "other recruiter": 403, "recruiter": 409]),
        ]
        for (method, path, body, expectations) in cases {
            for (who, expected) in expectations.sorted(by: { $0.key < $1.key }) {
                let response = try env.call(method, path, body: body, token: tokens[who] ?? nil)
                #expect(response.status == expected, "\(who) \(method) \(path): \(response.text)")
                if expected == 401 { #expect(response.header("WWW-Authenticate") == "Bearer") }
            }
        }
        // Candidates only ever list their own applications.
        let mine = try env.call("GET", "/api/applications", token: otherCandidate)
        #expect(mine.status == 200 && mine.items.isEmpty)
        #expect(try env.call("GET", "/api/applications", token: candidate).items.count == 1)
    }

    @Test("demotion and deactivation take effect at once; the last admin stays", arguments: Backend.allCases)
    func currentRoleGoverns(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (adminUser, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (recruiterUser, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        #expect(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C"}"#, token: recruiter).status == 201)
        #expect(try env.call("PATCH", "/api/users/\(recruiterUser.id)", body: #"{"role":"candidate"}"#, token: admin).status == 200)
        #expect(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C"}"#, token: recruiter).status == 403, "the old token's role no longer counts")
        #expect(try env.call("PATCH", "/api/users/\(recruiterUser.id)", body: #"{"is_active":false}"#, token: admin).status == 200)
        #expect(try env.call("GET", "/api/auth/me", token: recruiter).status == 401)
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"rec@x.io","password":"password123"}"#).status == 401)
        let lastAdmin = try env.call("PATCH", "/api/users/\(adminUser.id)", body: #"{"role":"recruiter"}"#, token: admin)
        #expect(lastAdmin.status == 409)
        #expect(try env.call("PATCH", "/api/users/\(adminUser.id)", body: #"{"is_active":false}"#, token: admin).status == 409)
    }

    @Test("tenants are isolated on every endpoint", arguments: Backend.allCases)
    func tenantIsolation(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        try env.createTenant("acme")
        try env.createTenant("globex")
        let (_, acmeRecruiter) = try env.signedIn("rec@x.io", role: .recruiter, tenant: "acme")
        let (_, acmeCandidate) = try env.signedIn("cand@x.io", role: .candidate, tenant: "acme")
        let (_, globexAdmin) = try env.signedIn("admin@x.io", role: .admin, tenant: "globex")
        let (_, globexRecruiter) = try env.signedIn("rec@x.io", role: .recruiter, tenant: "globex")  // same email, another user
        let job = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C"}"#, token: acmeRecruiter, tenant: "acme")["id"]?.int)
        let app = try #require(try env.call("POST", "/api/jobs/\(job)/apply", body: "{}", token: acmeCandidate, tenant: "acme")["id"]?.int)

        #expect(try env.call("GET", "/api/jobs/\(job)", tenant: "globex").status == 404)
        #expect(try env.call("GET", "/api/jobs", tenant: "globex").items.isEmpty)
        #expect(try env.call("GET", "/api/jobs", tenant: "acme").items.count == 1)
        #expect(try env.call("PATCH", "/api/jobs/\(job)", body: #"{"title":"x"}"#, token: globexAdmin, tenant: "globex").status == 404)
        #expect(try env.call("DELETE", "/api/jobs/\(job)", token: globexAdmin, tenant: "globex").status == 404)
        #expect(try env.call("GET", "/api/applications/\(app)", token: globexAdmin, tenant: "globex").status == 404)
        #expect(try env.call("GET", "/api/applications/\(app)/events", token: globexAdmin, tenant: "globex").status == 404)
        #expect(try env.call("PATCH", "/api/applications/\(app)/stage", body: #"{"stage":"screening"}"#, token: globexRecruiter, tenant: "globex").status == 404)
        #expect(try env.call("GET", "/api/jobs/\(job)/applications", token: globexRecruiter, tenant: "globex").status == 404)
        #expect(try env.call("GET", "/api/applications", token: globexAdmin, tenant: "globex").items.isEmpty)
        #expect(try env.call("GET", "/api/users", token: globexAdmin, tenant: "globex").items.count == 2)
        #expect(try env.call("GET", "/api/notifications", token: globexAdmin, tenant: "globex").items.isEmpty)
        // A token from one tenant is no good in another.
        #expect(try env.call("GET", "/api/auth/me", token: acmeRecruiter, tenant: "globex").status == 401)
        #expect(try env.call("GET", "/api/jobs", tenant: "nope").status == 404)
    }

    @Test("the Host under ATS_BASE_DOMAIN names the tenant; X-Tenant wins over it")
    func tenantFromHost() throws {
        let env = try APITestEnvironment(.sqlite) { $0.baseDomain = "ats.test" }
        try env.createTenant("acme")
        let (_, token) = try env.signedIn("a@acme.io", role: .admin, tenant: "acme")
        #expect(try env.call("GET", "/api/auth/me", token: token, host: "acme.ats.test:8000").status == 200)
        #expect(try env.call("GET", "/api/auth/me", token: token, host: "ACME.ats.test").status == 200)
        #expect(try env.call("GET", "/api/jobs", host: "nosuch.ats.test").status == 404)
        #expect(try env.call("GET", "/api/auth/me", token: token, host: "test").status == 401, "no tenant in Host: the default tenant")
        #expect(try env.call("GET", "/api/auth/me", token: token, tenant: "default", host: "acme.ats.test").status == 401)
    }

    @Test("tampered, foreign and expired tokens get 401", arguments: Backend.allCases)
    func tokenTampering(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (user, token) = try env.signedIn("a@x.io", role: .admin)
        let parts = token.split(separator: ".").map(String.init)
        func b64(_ s: String) -> String { Base64URL.encode(Array(s.utf8)) }
        let now = Int64(APIEndToEndTests.epochSeconds())
        let forged = [
            b64(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + ".",
            b64(#"{"alg":"HS512","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2],
            parts[0] + "." + b64(#"{"sub":"\#(user.id)","tid":1,"iat":\#(now),"exp":\#(now + 999_999)}"#) + "." + parts[2],
            TokenSigner(key: env.secret).sign(TokenClaims(userID: user.id, tenantID: TenantID(1), issuedAt: now - 7200, expiresAt: now - 3600)),
            TokenSigner(key: Array("some-other-secret-key-32-bytes-long!!".utf8)).sign(TokenClaims(userID: user.id, tenantID: TenantID(1), issuedAt: now, expiresAt: now + 60)),
            TokenSigner(key: env.secret).sign(TokenClaims(userID: UserID(999_999), tenantID: TenantID(1), issuedAt: now, expiresAt: now + 60)),
            "not-a-token",
        ]
        for bad in forged {
            let response = try env.call("GET", "/api/auth/me", token: bad)
            #expect(response.status == 401, "\(bad)")
            #expect(response.header("WWW-Authenticate") == "Bearer")
        }
        #expect(try env.call("GET", "/api/auth/me", token: token).status == 200)
        #expect(try env.call("GET", "/api/auth/me", headers: [("Authorization", "Basic YTpi")]).status == 401)
    }

    @Test("bad input gets 400, 404, 415 or 422 — never a 500", arguments: Backend.allCases)
    func badInput(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let post = { (body: String, contentType: String?) in try env.call("POST", "/api/jobs", body: body, token: recruiter, contentType: contentType) }
        #expect(try post("{", "application/json").status == 400)
        #expect(try post(#"{"title":"T","company":"C"}"#, "text/plain").status == 415)
        #expect(try post(#"{"title":"T","company":"C"}"#, nil).status == 415)
        #expect(try post(#"{"title":"\ud800","company":"C"}"#, "application/json").status == 400, "lone surrogate")
        #expect(try post(#"{"title":1e999,"company":"C"}"#, "application/json").status == 400, "huge number")
        let unknown = try post(#"{"title":"T","company":"C","salary":100}"#, "application/json")
        #expect(unknown.status == 422 && unknown["errors"] == .array([.object([("field", .string("salary")), ("message", .string("is not a known field"))])]))
        let missing = try post(#"{"title":"","status":"archived","location":5}"#, "application/json")
        #expect(missing.status == 422)
        var fields = Set<String>()
        if case .array(let errors)? = missing["errors"] { for error in errors { if let field = error["field"]?.string { fields.insert(field) } } }
        #expect(fields == ["title", "company", "status", "location"])
        #expect(missing.header("Content-Type") == "application/problem+json" && missing["detail"]?.string != nil)
        for id in ["abc", "-1", "0", "1e3", "12345678901234567890123", "9223372036854775808"] {
            #expect(try env.call("GET", "/api/jobs/\(id)").status == 404, "\(id)")
        }
        #expect(try env.call("GET", "/api/jobs?limit=0").status == 422)
        #expect(try env.call("GET", "/api/jobs?limit=101").status == 422)
        #expect(try env.call("GET", "/api/jobs?offset=-1").status == 422)
        #expect(try env.call("GET", "/api/jobs?q=%00").status == 400)
        #expect(try env.call("GET", "/api/jobs?q=%zz").status == 400)
        let combining = "a" + String(repeating: "\u{301}", count: 300)
        #expect(try post(#"{"title":"\#(combining)","company":"C"}"#, "application/json").status == 422, "lengths count code points")
        #expect(try env.call("POST", "/api/auth/signup", body: #"{"email":"z@y.io","password":"password123"}"#, headers: [("Authorization", "garbage")]).status == 401)
        let weakPassword = try env.call("POST", "/api/auth/signup", body: #"{"email":"x@y.io","password":"short"}"#)
        #expect(weakPassword.status == 422)
        #expect(try env.call("POST", "/api/auth/signup", body: #"{"email":"not-an-email","password":"password123"}"#).status == 422)
        let (_, candidate) = try env.signedIn("c@x.io", role: .candidate)
        let job = try #require(try post(#"{"title":"T","company":"C"}"#, "application/json")["id"]?.int)
        #expect(try env.call("POST", "/api/jobs/\(job)/apply", body: #"{"resume_url":"javascript:alert(1)"}"#, token: candidate).status == 422)
        #expect(try env.call("PUT", "/api/jobs/\(job)").status == 405)
    }

    @Test("an empty body is {} where every field is optional, with any Content-Type or none", arguments: Backend.allCases)
    func emptyBodies(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        var jobs: [Int64] = []
        for i in 0..<4 { jobs.append(try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T\#(i)","company":"C"}"#, token: recruiter)["id"]?.int)) }
        // (body, Content-Type): nothing at all as `curl -X POST` sends it (no length), an
        // explicit Content-Length: 0, with a foreign type, and with application/json.
        let empties: [(String?, String?)] = [(nil, nil), ("", nil), ("", "text/plain"), ("", "application/json")]
        for (n, (body, contentType)) in empties.enumerated() {
            let (_, candidate) = try env.signedIn("c\(n)@x.io", role: .candidate)
            let applied = try env.call("POST", "/api/jobs/\(jobs[n])/apply", body: body, token: candidate, contentType: contentType)
            #expect(applied.status == 201 && applied["stage"] == .string("applied") && applied["cover_letter"] == .null, "\(n): \(applied.text)")
        }
        // A body with content still has to be JSON.
        let (_, candidate) = try env.signedIn("late@x.io", role: .candidate)
        #expect(try env.call("POST", "/api/jobs/\(jobs[0])/apply", body: "cover_letter=hi", token: candidate, contentType: "application/x-www-form-urlencoded").status == 415)
        #expect(try env.call("POST", "/api/jobs/\(jobs[0])/apply", body: #"{"cover_letter":"hi"}"#, token: candidate, contentType: nil).status == 415)
        // PATCH bodies are all-optional too: an empty one changes nothing.
        let unchanged = try env.call("PATCH", "/api/jobs/\(jobs[1])", token: recruiter)
        #expect(unchanged.status == 200 && unchanged["title"] == .string("T1"), "\(unchanged.text)")
        let (user, _) = try env.signedIn("someone@x.io", role: .candidate)
        #expect(try env.call("PATCH", "/api/users/\(user.id)", body: "", token: admin, contentType: nil)["role"] == .string("candidate"))
        // The OpenAPI document says which bodies may be left out: exactly these.
        var optional: [String] = []
        if case .object(let paths)? = try env.call("GET", "/openapi.json")["paths"] {
            for (path, item) in paths {
                guard case .object(let operations) = item else { continue }
                for (method, operation) in operations where operation["requestBody"]?["required"] == .bool(false) { optional.append("\(method) \(path)") }
            }
        }
        #expect(optional.sorted() == ["patch /api/auth/me", "patch /api/candidates/{candidate_id}", "patch /api/interviews/{interview_id}",
                                      "patch /api/jobs/{job_id}", "patch /api/operator/tenants/{slug}", "patch /api/rejection-reasons/{reason_id}", "patch /api/scorecards/{scorecard_id}",
                                      "patch /api/tenant", "patch /api/users/{user_id}", "post /api/auth/logout",
                                      "post /api/interviews/{interview_id}/cancel", "post /api/jobs/{job_id}/apply"])
        // Where a field is required, an empty body is still not JSON.
        #expect(try env.call("POST", "/api/jobs", token: recruiter).status == 415)
        #expect(try env.call("POST", "/api/jobs", body: "", token: recruiter).status == 400)
    }

    @Test("JSON that is not an object, NUL in a string and non-numeric paging are 422; what does not parse is 400", arguments: Backend.allCases)
    func unprocessableInput(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("c@x.io", role: .candidate)
        let job = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C"}"#, token: recruiter)["id"]?.int)
        for body in ["[]", "42", "null", #""text""#, "true", #"["not","an","object"]"#] {
            for (method, path, token) in [("POST", "/api/jobs", recruiter), ("POST", "/api/jobs/\(job)/apply", candidate), ("POST", "/api/auth/signup", recruiter)] {
                let response = try env.call(method, path, body: body, token: token)
                #expect(response.status == 422 && response.header("Content-Type") == "application/problem+json", "\(path) \(body): \(response.text)")
                #expect(response["errors"] == .array([.object([("field", .string("")), ("message", .string("the body must be a JSON object"))])]))
            }
        }
        let nul = try env.call("POST", "/api/jobs", body: #"{"title":"a\u0000b","company":"C","location":"\u0000"}"#, token: recruiter)
        #expect(nul.status == 422, "\(nul.text)")
        var fields: [String] = []
        if case .array(let errors)? = nul["errors"] { fields = errors.compactMap { $0["field"]?.string } }
        #expect(fields == ["title", "location"])
        let nulApply = try env.call("POST", "/api/jobs/\(job)/apply", body: #"{"cover_letter":"\u0000"}"#, token: candidate)
        #expect(nulApply.status == 422 && nulApply["errors"] == .array([.object([("field", .string("cover_letter")), ("message", .string("may not contain NUL characters (U+0000)"))])]))
        let nulSignup = try env.call("POST", "/api/auth/signup", body: #"{"email":"n@x.io","password":"pass\u0000word"}"#)
        #expect(nulSignup.status == 422 && nulSignup.text.contains(#""field":"password""#))
        // maxLength counts the text as sent (as the OpenAPI document says), trimming or not.
        let padded = "\\t" + String(repeating: "x", count: 200)
        #expect(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"\#(padded)"}"#, token: recruiter).status == 422)
        #expect(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":" \#(String(repeating: "x", count: 199))"}"#, token: recruiter).status == 201)
        // Malformed JSON stays 400: syntax, a raw control character, a lone surrogate.
        for bad in ["{", #"{"title":"T""#, "{\"title\":\"a\u{0}b\"}", #"{"title":"\ud800"}"#, "[1,]"] {
            #expect(try env.call("POST", "/api/jobs", body: bad, token: recruiter).status == 400, "\(bad)")
        }
        for query in ["limit=abc", "limit=1.5", "limit=", "limit=1e2", "offset=abc", "offset=-", "offset=1.0", "offset=99999999999999999999999",
                      "offset=1000000001", "limit=-5", "status=", "status=bogus"] {
            let response = try env.call("GET", "/api/jobs?\(query)", token: recruiter)
            var field: String?
            if case .array(let errors)? = response["errors"] { field = errors.first?["field"]?.string }
            #expect(response.status == 422 && field == String(query.prefix { $0 != "=" }), "\(query): \(response.text)")
        }
        #expect(try env.call("GET", "/api/applications?job_id=", token: recruiter).status == 422)
        #expect(try env.call("GET", "/api/jobs?limit=100&offset=1000000000&q=", token: recruiter).status == 200, "the largest page, an empty filter")
        #expect(try env.call("GET", "/api/jobs?q=%00").status == 400, "a NUL in the query string is malformed")
        #expect(try env.call("GET", "/api/jobs", headers: [("X-Tenant", "")]).status == 404, "an empty X-Tenant names no tenant")
        #expect(try env.call("GET", "/api/jobs", headers: [("X-Tenant", "DEFAULT")]).status == 200, "slugs are case-insensitive")
    }

    @Test("duplicate email, closed job, delete with applications: 409", arguments: Backend.allCases)
    func conflicts(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        #expect(try env.call("POST", "/api/auth/signup", body: #"{"email":"REC@x.io","password":"password123"}"#).status == 409)
        let (_, candidate) = try env.signedIn("c@x.io", role: .candidate)
        let closed = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C","status":"closed"}"#, token: recruiter)["id"]?.int)
        #expect(try env.call("POST", "/api/jobs/\(closed)/apply", body: "{}", token: candidate).status == 409)
        #expect(try env.call("GET", "/api/jobs/\(closed)").status == 200, "closed jobs stay readable")
        let draft = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C","status":"draft"}"#, token: recruiter)["id"]?.int)
        #expect(try env.call("POST", "/api/jobs/\(draft)/apply", body: "{}", token: candidate).status == 404)
        let open = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C"}"#, token: recruiter)["id"]?.int)
        #expect(try env.call("POST", "/api/jobs/\(open)/apply", body: "{}", token: candidate).status == 201)
        #expect(try env.call("DELETE", "/api/jobs/\(open)", token: recruiter).status == 409)
        #expect(try env.call("DELETE", "/api/jobs/\(closed)", token: recruiter).status == 204)
        #expect(try env.call("GET", "/api/jobs/\(closed)").status == 404)
    }

    @Test("parallel applies and concurrent stage changes with If-Match", arguments: Backend.allCases)
    func concurrency(_ backend: Backend) async throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("c@x.io", role: .candidate)
        let job = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"T","company":"C"}"#, token: recruiter)["id"]?.int)
        let applyStatuses = await APIEndToEndTests.parallel(20) { _ in
            (try? env.call("POST", "/api/jobs/\(job)/apply", body: "{}", token: candidate).status) ?? 0
        }
        #expect(applyStatuses.filter { $0 == 201 }.count == 1 && applyStatuses.filter { $0 == 409 }.count == 19, "\(applyStatuses)")
        let app = try #require(try env.call("GET", "/api/applications", token: candidate).items.first?["id"]?.int)
        let stageStatuses = await APIEndToEndTests.parallel(10) { i in
            let stage = i % 2 == 0 ? "screening" : "rejected"
            return (try? env.call("PATCH", "/api/applications/\(app)/stage", body: #"{"stage":"\#(stage)"}"#, token: recruiter, headers: [("If-Match", "\"1\"")]).status) ?? 0
        }
        #expect(stageStatuses.filter { $0 == 200 }.count == 1 && stageStatuses.filter { $0 == 412 }.count == 9, "\(stageStatuses)")
        let events = try env.call("GET", "/api/applications/\(app)/events", token: recruiter)
        #expect(events.items.count == 2)
    }

    @Test("pagination: X-Total-Count and Link", arguments: Backend.allCases)
    func pagination(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        for i in 0..<25 { _ = try env.call("POST", "/api/jobs", body: #"{"title":"Job \#(i)","company":"C"}"#, token: recruiter) }
        let first = try env.call("GET", "/api/jobs/?limit=10&q=job")
        #expect(first.items.count == 10 && first.header("X-Total-Count") == "25")
        #expect(first.items.first?["title"] == .string("Job 24"), "newest first")
        #expect(first.header("Link") == "</api/jobs/?q=job&limit=10&offset=10>; rel=\"next\"")
        let middle = try env.call("GET", "/api/jobs/?limit=10&offset=10&q=job")
        #expect(middle.header("Link") == "</api/jobs/?q=job&limit=10&offset=20>; rel=\"next\", </api/jobs/?q=job&limit=10&offset=0>; rel=\"prev\"")
        let last = try env.call("GET", "/api/jobs/?limit=10&offset=20&q=job")
        #expect(last.items.count == 5 && last.header("Link") == "</api/jobs/?q=job&limit=10&offset=10>; rel=\"prev\"")
    }

    @Test("login: same answer for unknown email and wrong password; repeated failures get 429", arguments: [Backend.sqlite])
    func loginLimits(_ backend: Backend) async throws {
        let env = try APITestEnvironment(backend)
        try env.user("known@x.io", role: .candidate)
        let unknown = try env.call("POST", "/api/auth/login", body: #"{"email":"nobody@x.io","password":"password123"}"#)
        let wrong = try env.call("POST", "/api/auth/login", body: #"{"email":"known@x.io","password":"wrong-password"}"#)
        #expect(unknown.status == 401 && wrong.status == 401 && unknown.text == wrong.text)
        for _ in 0..<4 { _ = try env.call("POST", "/api/auth/login", body: #"{"email":"known@x.io","password":"wrong-password"}"#) }  // 5 failures in all
        let limited = try env.call("POST", "/api/auth/login", body: #"{"email":"known@x.io","password":"password123"}"#)
        #expect(limited.status == 429 && limited.header("Retry-After").flatMap(Int.init).map { $0 > 0 } == true)
        // Parallel guesses cannot slip past the budget: it is counted before the check.
        try env.user("other@x.io", role: .candidate)
        let statuses = await APIEndToEndTests.parallel(12) { _ in
            (try? env.call("POST", "/api/auth/login", body: #"{"email":"other@x.io","password":"wrong-password"}"#).status) ?? 0
        }
        #expect(statuses.filter { $0 == 401 }.count == 5 && statuses.filter { $0 == 429 }.count == 7, "\(statuses)")
    }

    @Test("behind a trusted proxy the per-address login limit counts the client named by X-Forwarded-For, not the proxy")
    func loginLimitsBehindAProxy() throws {
        let env = try APITestEnvironment(.sqlite) {
            $0.loginFailuresPerAddress = 3
            $0.trustedProxies = TrustedProxies("127.0.0.1") ?? TrustedProxies()
        }
        func attempt(_ n: Int, from client: String) throws -> Int {
            try env.call("POST", "/api/auth/login", body: #"{"email":"u\#(n)@x.io","password":"password123"}"#,
                         headers: [("X-Forwarded-For", "198.51.100.7, \(client)")]).status
        }
        #expect(try (0..<3).map { try attempt($0, from: "203.0.113.5") } == [401, 401, 401])
        #expect(try attempt(3, from: "203.0.113.5") == 429, "the fourth failure from one client is limited")
        #expect(try attempt(4, from: "203.0.113.6") == 401, "another client behind the same proxy is not")
    }

    @Test("trusted proxies: CIDR matching and picking the client out of X-Forwarded-For")
    func trustedProxies() throws {
        func ip(_ text: String) -> IPAddress { IPAddress(text) ?? IPAddress(bytes: [0, 0, 0, 0])! }
        let proxies = try #require(TrustedProxies("10.0.0.0/8, 127.0.0.1, fd00::/8"))
        #expect(proxies.contains(ip("10.1.2.3")) && proxies.contains(ip("127.0.0.1")) && proxies.contains(ip("fd12::1")) && proxies.contains(ip("::ffff:10.9.9.9")))
        #expect(!proxies.contains(ip("11.0.0.1")) && !proxies.contains(ip("127.0.0.2")) && !proxies.contains(ip("fe80::1")) && IPAddress("garbage") == nil)
        #expect(proxies.clientAddress(peer: ip("10.0.0.5"), forwardedFor: ["1.2.3.4, 10.0.0.9"]) == ip("1.2.3.4"))
        #expect(proxies.clientAddress(peer: ip("10.0.0.5"), forwardedFor: ["6.6.6.6", "1.2.3.4"]) == ip("1.2.3.4"), "the rightmost untrusted hop wins")
        #expect(proxies.clientAddress(peer: ip("8.8.8.8"), forwardedFor: ["1.2.3.4"]) == ip("8.8.8.8"), "an untrusted peer's header is ignored")
        #expect(proxies.clientAddress(peer: ip("10.0.0.5"), forwardedFor: ["1.2.3.4, nonsense"]) == ip("10.0.0.5"), "a garbled hop is not believed")
        #expect(proxies.clientAddress(peer: ip("10.0.0.5"), forwardedFor: []) == ip("10.0.0.5"))
        #expect(proxies.clientAddress(peer: ip("fd00::7"), forwardedFor: ["2001:db8::5"]) == ip("2001:db8::5"), "an IPv6 proxy is trusted")
        #expect(TrustedProxies("10.0.0.0/33") == nil && TrustedProxies("example.com") == nil && TrustedProxies("")?.isEmpty == true)
        #expect(ip("::ffff:192.0.2.1").description == "192.0.2.1" && PeerAddress(ip: ip("::1"), port: 5555).description == "[::1]:5555")
    }

    @Test("over IPv6 (ATS_HOST=::1) a trusted IPv6 proxy's X-Forwarded-For names the client for the per-address login limit")
    func loginLimitsBehindAnIPv6Proxy() throws {
        let env = try APITestEnvironment(.sqlite, listenOn: "::1") {
            $0.loginFailuresPerAddress = 3
            $0.trustedProxies = TrustedProxies("::1") ?? TrustedProxies()
        }
        func attempt(_ n: Int, from client: String) throws -> Int {
            try env.call("POST", "/api/auth/login", body: #"{"email":"u\#(n)@x.io","password":"password123"}"#,
                         headers: [("X-Forwarded-For", client)]).status
        }
        #expect(try (0..<3).map { try attempt($0, from: "2001:db8::5") } == [401, 401, 401])
        #expect(try attempt(3, from: "2001:db8::5") == 429, "the fourth failure from one client is limited")
        #expect(try attempt(4, from: "2001:db8::6") == 401, "another client behind the same IPv6 proxy is not")
    }

    @Test("the OpenAPI document lists exactly the routes the router serves")
    func openAPIMatchesRouter() throws {
        let env = try APITestEnvironment(.sqlite)
        let doc = try env.call("GET", "/openapi.json")
        #expect(doc.status == 200 && doc["openapi"] == .string("3.1.0"))
        guard case .object(let paths)? = doc["paths"] else {
            Issue.record("no paths")
            return
        }
        var documented = Set<String>()
        for (path, item) in paths {
            guard case .object(let operations) = item else { continue }
            for (method, operation) in operations {
                documented.insert("\(method.uppercased()) \(APIEndToEndTests.normalize(path))")
                // What every tenant route can answer is declared: the header, 400 and 404 (unknown tenant).
                guard case .array(let parameters)? = operation["parameters"] else { continue }
                if parameters.contains(where: { $0["name"] == .string("X-Tenant") }) {
                    #expect(operation["responses"]?["404"] != nil && operation["responses"]?["400"] != nil, "\(method) \(path)")
                }
                // Path ids are positive; the operator's `{slug}` is a tenant slug.
                for parameter in parameters where parameter["in"] == .string("path") && parameter["name"] != .string("slug") {
                    #expect(parameter["schema"]?["minimum"] == .int(1), "\(method) \(path)")
                }
                if let offset = parameters.first(where: { $0["name"] == .string("offset") }) {
                    #expect(offset["schema"]?["maximum"] == .int(1_000_000_000), "\(method) \(path)")
                }
            }
        }
        let api = try API(database: env.database.database, configuration: APIConfiguration(secretKey: env.secret))
        let routed = Set(APIRouter.make(api: api, metrics: ServerMetrics(shards: 1)).routes.map { "\($0.method) \(APIEndToEndTests.normalize($0.template))" })
        #expect(routed == documented, "only routed: \(routed.subtracting(documented)); only documented: \(documented.subtracting(routed))")
        let docs = try env.call("GET", "/docs")
        #expect(docs.status == 200 && docs.text.contains("swagger-ui") && docs.text.contains("/openapi.json"))
        // The CDN files are pinned to one version and checked (Subresource Integrity); tokens are not kept in localStorage.
        #expect(!docs.text.contains("swagger-ui-dist@5/") && docs.text.contains("swagger-ui-dist@5.31.0/swagger-ui.css")
                && docs.text.contains("swagger-ui-dist@5.31.0/swagger-ui-bundle.js"), "\(docs.text)")
        for tag in docs.text.split(separator: "<").filter({ $0.contains("cdn.jsdelivr.net") }) {
            #expect(tag.contains(#"integrity="sha384-"#) && tag.contains(#"crossorigin="anonymous""#), "\(tag)")
        }
        #expect(docs.text.split(separator: "<").filter { $0.contains("integrity=\"sha384-") }.count == 2)
        #expect(docs.text.contains("persistAuthorization: false") && !docs.text.contains("persistAuthorization: true"))
        #expect(try env.call("GET", "/readyz").status == 200)
    }

    static func normalize(_ path: String) -> String { path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path }

    static func epochSeconds() -> Int { Int(Timestamp.now().microseconds / 1_000_000) }

    static func parallel(_ count: Int, _ body: @escaping @Sendable (Int) -> Int) async -> [Int] {
        await withTaskGroup(of: Int.self) { group in
            for i in 0..<count { group.addTask { body(i) } }
            var results: [Int] = []
            for await status in group { results.append(status) }
            return results
        }
    }
}
