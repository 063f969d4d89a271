import ATSAPI
import ATSDomain
import ATSFeatures
import ATSNotify
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Foundation
import Testing

@Suite("Interviews, calendar invitations and scorecards (both adapters)", .timeLimit(.minutes(3)))
struct InterviewTests {
    struct World {
        let env: APITestEnvironment
        let admin: String
        let adminID: Int64
        /// Created the job.
        let recruiter: String
        let recruiterID: Int64
        /// An interviewer (recruiter who did not create the job).
        let interviewer: String
        let interviewerID: Int64
        /// Staff who interviews nobody.
        let bystander: String
        let candidate: String
        let candidateID: Int64
        let otherCandidate: String
        let applicationID: Int64
    }

    private func world(_ backend: Backend) throws -> World {
        let env = try APITestEnvironment(backend)
        let (adminUser, admin) = try env.signedIn("admin@i.io", role: .admin)
        let (recruiterUser, recruiter) = try env.signedIn("rec@i.io", role: .recruiter)
        let (interviewerUser, interviewer) = try env.signedIn("int@i.io", role: .recruiter)
        let (_, bystander) = try env.signedIn("by@i.io", role: .recruiter)
        let signup = try env.call("POST", "/api/auth/signup", body: #"{"email":"zoe@i.io","password":"password123","full_name":"Zoë Ünlü, PhD"}"#)
        let candidateID = try #require(signup["id"]?.int)
        let candidate = try env.login("zoe@i.io")
        let (_, otherCandidate) = try env.signedIn("other@i.io", role: .candidate)
        let job = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"Engineer","company":"Acme"}"#, token: recruiter)["id"]?.int)
        let application = try #require(try env.call("POST", "/api/jobs/\(job)/apply", token: candidate)["id"]?.int)
        _ = try env.call("POST", "/api/jobs/\(job)/apply", token: otherCandidate)
        return World(env: env, admin: admin, adminID: adminUser.id.rawValue, recruiter: recruiter, recruiterID: recruiterUser.id.rawValue,
                     interviewer: interviewer, interviewerID: interviewerUser.id.rawValue, bystander: bystander, candidate: candidate,
                     candidateID: candidateID, otherCandidate: otherCandidate, applicationID: application)
    }

    private func schedule(_ w: World, interviewers: [Int64], extra: String = "", token: String? = nil) throws -> APITestEnvironment.Response {
        let ids = interviewers.map(String.init).joined(separator: ",")
        return try w.env.call("POST", "/api/applications/\(w.applicationID)/interviews", body: """
            {"title":"Technical interview","starts_at":"2026-12-01T15:00:00+01:00","ends_at":"2026-12-01T15:00:00Z","location":"Room 4, Berlin; 2nd floor",
             "video_url":"https://meet.example.com/abc-def","interviewer_ids":[\(ids)]\(extra)}
            """, token: token ?? w.recruiter)
    }

    // MARK: interviews

    @Test("schedule: 201 Interview with Location; who may read it, and how the candidate sees it", arguments: Backend.allCases)
    func scheduleAndRead(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let created = try schedule(w, interviewers: [w.interviewerID, w.adminID])
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created["id"]?.int)
        #expect(created.header("Location") == "/api/interviews/\(id)")
        #expect(created["starts_at"] == .string("2026-12-01T14:00:00Z") && created["ends_at"] == .string("2026-12-01T15:00:00Z"), "stored in UTC")
        #expect(created["interviewer_ids"] == .array([.int(w.interviewerID), .int(w.adminID)]) && created["status"] == .string("scheduled"))
        #expect(created["created_by"] == .int(w.recruiterID) && created["application_id"] == .int(w.applicationID))
        #expect(created["title"] == .string("Technical interview") && created["video_url"] == .string("https://meet.example.com/abc-def"))

        for token in [w.admin, w.recruiter, w.interviewer, w.bystander] {
            let read = try env.call("GET", "/api/interviews/\(id)", token: token)
            #expect(read.status == 200 && read["interviewer_ids"] != nil)
        }
        let own = try env.call("GET", "/api/interviews/\(id)", token: w.candidate)
        #expect(own.status == 200 && own["interviewer_ids"] == nil && own["starts_at"] == .string("2026-12-01T14:00:00Z"), "\(own.text)")
        let ownList = try env.call("GET", "/api/applications/\(w.applicationID)/interviews", token: w.candidate)
        #expect(ownList.status == 200 && ownList.items.count == 1 && ownList.items.first?["interviewer_ids"] == nil)
        #expect(try env.call("GET", "/api/applications/\(w.applicationID)/interviews", token: w.recruiter).items.first?["interviewer_ids"] != nil)
        #expect(try env.call("GET", "/api/interviews/\(id)", token: w.otherCandidate).status == 404)
        #expect(try env.call("GET", "/api/applications/\(w.applicationID)/interviews", token: w.otherCandidate).status == 404)
        #expect(try env.call("GET", "/api/interviews/\(id)").status == 401)
        #expect(try env.call("GET", "/api/applications/\(w.applicationID)/interviews").status == 401)
        #expect(try env.call("GET", "/api/interviews/999999", token: w.admin).status == 404)
        #expect(try env.call("GET", "/api/interviews/abc", token: w.admin).status == 404)

        // Only staff schedule, change, cancel and list the calendar.
        #expect(try schedule(w, interviewers: [w.interviewerID], token: w.candidate).status == 403)
        #expect(try schedule(w, interviewers: [w.interviewerID], token: w.otherCandidate).status == 404)
        #expect(try env.call("POST", "/api/applications/\(w.applicationID)/interviews", body: "{}").status != 201)
        #expect(try env.call("PATCH", "/api/interviews/\(id)", body: #"{"title":"x"}"#, token: w.candidate).status == 404)
        #expect(try env.call("POST", "/api/interviews/\(id)/cancel", token: w.candidate).status == 404)
        #expect(try env.call("POST", "/api/interviews/\(id)/cancel").status == 401)
        #expect(try env.call("GET", "/api/interviews", token: w.candidate).status == 403)
        #expect(try env.call("GET", "/api/interviews").status == 401)
    }

    @Test("GET /api/interviews: by interviewer and starts_at in [from, to), paginated", arguments: Backend.allCases)
    func calendar(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let path = "/api/applications/\(w.applicationID)/interviews"
        for (day, who) in [(1, w.interviewerID), (2, w.adminID), (3, w.interviewerID)] {
            let body = #"{"starts_at":"2026-12-0\#(day)T09:00:00Z","ends_at":"2026-12-0\#(day)T10:00:00Z","interviewer_ids":[\#(who)]}"#
            let response = try env.call("POST", path, body: body, token: w.recruiter)
            #expect(response.status == 201 && response["title"] == .string("Interview: Engineer"), "\(response.text)")
        }
        let all = try env.call("GET", "/api/interviews", token: w.bystander)
        #expect(all.status == 200 && all.header("X-Total-Count") == "3")
        #expect(all.items.compactMap { $0["starts_at"]?.string } == ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z", "2026-12-03T09:00:00Z"])
        let mine = try env.call("GET", "/api/interviews?interviewer_id=\(w.interviewerID)", token: w.interviewer)
        #expect(mine.items.compactMap { $0["starts_at"]?.string } == ["2026-12-01T09:00:00Z", "2026-12-03T09:00:00Z"])
        let window = try env.call("GET", "/api/interviews?from=2026-12-01T09:00:00Z&to=2026-12-03T09:00:00Z", token: w.admin)
        #expect(window.items.compactMap { $0["starts_at"]?.string } == ["2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z"], "from inclusive, to exclusive")
        let page = try env.call("GET", "/api/interviews?limit=1&offset=2", token: w.admin)
        #expect(page.items.count == 1 && page.header("X-Total-Count") == "3" && page.header("Link")?.contains("rel=\"prev\"") == true)
        #expect(try env.call("GET", "/api/interviews?from=yesterday", token: w.admin).status == 422)
        #expect(try env.call("GET", "/api/interviews?interviewer_id=-1", token: w.admin).status == 422)
    }

    @Test("validation: 422 naming the field (times, 12 h cap, interviewers, video_url, unknown fields)", arguments: Backend.allCases)
    func validation(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let path = "/api/applications/\(w.applicationID)/interviews"
        func expect422(_ body: String, _ field: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let response = try env.call("POST", path, body: body, token: w.recruiter)
            #expect(response.status == 422 && response.text.contains("\"field\":\"\(field)\""), "\(body): \(response.status) \(response.text)",
                    sourceLocation: sourceLocation)
        }
        let ok = #""interviewer_ids":[\#(w.interviewerID)]"#
        try expect422(#"{"ends_at":"2026-12-01T10:00:00Z",\#(ok)}"#, "starts_at")
        try expect422(#"{"starts_at":"tomorrow","ends_at":"2026-12-01T10:00:00Z",\#(ok)}"#, "starts_at")
        try expect422(#"{"starts_at":"2026-12-01T10:00:00","ends_at":"2026-12-01T11:00:00Z",\#(ok)}"#, "starts_at")
        try expect422(#"{"starts_at":"2026-12-01T10:00:00Z","ends_at":"2026-12-01T10:00:00Z",\#(ok)}"#, "ends_at")
        try expect422(#"{"starts_at":"2026-12-01T10:00:00Z","ends_at":"2026-12-01T09:00:00Z",\#(ok)}"#, "ends_at")
        try expect422(#"{"starts_at":"2026-12-01T10:00:00Z","ends_at":"2026-12-01T22:00:01Z",\#(ok)}"#, "ends_at")
        #expect(try env.call("POST", path, body: #"{"starts_at":"2026-12-01T10:00:00Z","ends_at":"2026-12-01T22:00:00Z",\#(ok)}"#, token: w.recruiter).status == 201,
                "exactly 12 hours is allowed")
        let times = #""starts_at":"2026-12-01T10:00:00Z","ends_at":"2026-12-01T11:00:00Z""#
        try expect422(#"{\#(times)}"#, "interviewer_ids")
        try expect422(#"{\#(times),"interviewer_ids":[]}"#, "interviewer_ids")
        try expect422(#"{\#(times),"interviewer_ids":"\#(w.interviewerID)"}"#, "interviewer_ids")
        try expect422(#"{\#(times),"interviewer_ids":[\#(w.candidateID)]}"#, "interviewer_ids")  // a candidate is not staff
        try expect422(#"{\#(times),"interviewer_ids":[999999]}"#, "interviewer_ids")
        try expect422(#"{\#(times),"interviewer_ids":[\#(w.interviewerID),\#(w.interviewerID)]}"#, "interviewer_ids")
        try expect422(#"{\#(times),"interviewer_ids":[\#(Array(repeating: String(w.interviewerID), count: 21).joined(separator: ","))]}"#, "interviewer_ids")
        try expect422(#"{\#(times),\#(ok),"video_url":"ftp://files.example.com/x"}"#, "video_url")
        try expect422(#"{\#(times),\#(ok),"title":""}"#, "title")
        try expect422(#"{\#(times),\#(ok),"notify":"yes"}"#, "notify")
        try expect422(#"{\#(times),\#(ok),"room":"4"}"#, "room")
        // 21 distinct staff: over the limit of 20.
        var many: [Int64] = []
        for i in 0..<21 { many.append(try env.user("staff\(i)@i.io", role: .recruiter).id.rawValue) }
        try expect422(#"{\#(times),"interviewer_ids":[\#(many.map(String.init).joined(separator: ","))]}"#, "interviewer_ids")
        #expect(try env.call("POST", path, body: #"{\#(times),"interviewer_ids":[\#(many.prefix(20).map(String.init).joined(separator: ","))]}"#,
                             token: w.recruiter).status == 201, "20 is the limit")
        // An inactive staff user, and another tenant's staff user, are refused.
        let inactive = try env.user("gone@i.io", role: .recruiter)
        #expect(try env.call("PATCH", "/api/users/\(inactive.id)", body: #"{"is_active":false}"#, token: w.admin).status == 200)
        try expect422(#"{\#(times),"interviewer_ids":[\#(inactive.id)]}"#, "interviewer_ids")
        try env.createTenant("other")
        let foreign = try env.user("rec@other.io", role: .recruiter, tenant: "other")
        try expect422(#"{\#(times),"interviewer_ids":[\#(foreign.id)]}"#, "interviewer_ids")
        // PATCH validates the merged times.
        let id = try #require(try schedule(w, interviewers: [w.interviewerID])["id"]?.int)
        let longer = try env.call("PATCH", "/api/interviews/\(id)", body: #"{"ends_at":"2026-12-02T15:00:00Z"}"#, token: w.recruiter)
        #expect(longer.status == 422 && longer.text.contains("\"field\":\"ends_at\""))
        let later = try env.call("PATCH", "/api/interviews/\(id)", body: #"{"starts_at":"2026-12-01T16:00:00Z"}"#, token: w.recruiter)
        #expect(later.status == 422 && later.text.contains("\"field\":\"starts_at\""))
        #expect(try env.call("PATCH", "/api/interviews/\(id)", body: #"{"interviewer_ids":[\#(w.candidateID)]}"#, token: w.recruiter).status == 422)
        #expect(try env.call("PATCH", "/api/interviews/\(id)", body: #"{"status":"cancelled"}"#, token: w.recruiter).status == 422)
    }

    @Test("PATCH reschedules (200), cancel (200, then 409); a cancelled interview cannot change", arguments: Backend.allCases)
    func rescheduleAndCancel(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let id = try #require(try schedule(w, interviewers: [w.interviewerID, w.adminID])["id"]?.int)
        let moved = try env.call("PATCH", "/api/interviews/\(id)", body: """
            {"starts_at":"2026-12-02T09:00:00Z","ends_at":"2026-12-02T10:30:00Z","location":null,"interviewer_ids":[\(w.interviewerID)]}
            """, token: w.bystander)
        #expect(moved.status == 200, "\(moved.text)")
        #expect(moved["starts_at"] == .string("2026-12-02T09:00:00Z") && moved["ends_at"] == .string("2026-12-02T10:30:00Z"))
        #expect(moved["location"] == .null && moved["title"] == .string("Technical interview") && moved["interviewer_ids"] == .array([.int(w.interviewerID)]))
        let resent = try env.call("PATCH", "/api/interviews/\(id)", token: w.recruiter)
        #expect(resent.status == 200 && resent["starts_at"] == moved["starts_at"], "an empty body is {}: nothing changes, invitations go again")
        let cancelled = try env.call("POST", "/api/interviews/\(id)/cancel", token: w.recruiter)
        #expect(cancelled.status == 200 && cancelled["status"] == .string("cancelled"), "\(cancelled.text)")
        #expect(try env.call("POST", "/api/interviews/\(id)/cancel", token: w.recruiter).status == 409, "cancelling twice is a conflict")
        #expect(try env.call("PATCH", "/api/interviews/\(id)", body: #"{"title":"Again"}"#, token: w.recruiter).status == 409)
        #expect(try env.call("GET", "/api/interviews/\(id)", token: w.candidate)["status"] == .string("cancelled"))
        #expect(try env.call("POST", "/api/interviews/999999/cancel", token: w.recruiter).status == 404)
    }

    @Test("tenants: another tenant's interview, application and scorecard ids are 404", arguments: Backend.allCases)
    func tenantIsolation(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let id = try #require(try schedule(w, interviewers: [w.interviewerID])["id"]?.int)
        let card = try #require(try env.call("POST", "/api/interviews/\(id)/scorecards", body: #"{"recommendation":"yes"}"#, token: w.interviewer)["id"]?.int)
        try env.createTenant("other")
        let (otherAdminUser, otherAdmin) = try env.signedIn("admin@other.io", role: .admin, tenant: "other")
        func call(_ method: String, _ path: String, _ body: String? = nil) throws -> Int {
            try env.call(method, path, body: body, token: otherAdmin, tenant: "other").status
        }
        #expect(try call("GET", "/api/interviews/\(id)") == 404)
        #expect(try call("PATCH", "/api/interviews/\(id)", #"{"title":"x"}"#) == 404)
        #expect(try call("POST", "/api/interviews/\(id)/cancel") == 404)
        #expect(try call("POST", "/api/interviews/\(id)/scorecards", #"{"recommendation":"no"}"#) == 404)
        #expect(try call("PATCH", "/api/scorecards/\(card)", #"{"recommendation":"no"}"#) == 404)
        #expect(try call("GET", "/api/applications/\(w.applicationID)/interviews") == 404)
        #expect(try call("GET", "/api/applications/\(w.applicationID)/scorecards") == 404)
        #expect(try call("POST", "/api/applications/\(w.applicationID)/interviews",
                         #"{"starts_at":"2026-12-01T10:00:00Z","ends_at":"2026-12-01T11:00:00Z","interviewer_ids":[\#(otherAdminUser.id)]}"#) == 404)
        #expect(try env.call("GET", "/api/interviews", token: otherAdmin, tenant: "other").items.isEmpty)
        #expect(try env.call("GET", "/api/interviews/\(id)", token: w.admin)["status"] == .string("scheduled"))
    }

    // MARK: scorecards

    @Test("scorecards: who may submit, one per author (409), only the author edits (403), validation", arguments: Backend.allCases)
    func scorecards(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let id = try #require(try schedule(w, interviewers: [w.interviewerID])["id"]?.int)
        let path = "/api/interviews/\(id)/scorecards"
        let body = #"{"recommendation":"strong_yes","ratings":[{"attribute":"Communication","rating":4},{"attribute":"Système","rating":1}],"notes":"Great"}"#
        let created = try env.call("POST", path, body: body, token: w.interviewer)
        #expect(created.status == 201, "\(created.text)")
        let card = try #require(created["id"]?.int)
        #expect(created.header("Location") == "/api/scorecards/\(card)")
        #expect(created["interview_id"] == .int(id) && created["application_id"] == .int(w.applicationID) && created["author_id"] == .int(w.interviewerID))
        #expect(created["recommendation"] == .string("strong_yes") && created["notes"] == .string("Great"))
        #expect(created["ratings"] == .array([.object([("attribute", .string("Communication")), ("rating", .int(4))]),
                                               .object([("attribute", .string("Système")), ("rating", .int(1))])]))
        #expect(try env.call("POST", path, body: #"{"recommendation":"no"}"#, token: w.interviewer).status == 409, "one per author per interview")
        #expect(try env.call("POST", path, body: #"{"recommendation":"no"}"#, token: w.admin).status == 201, "admins may score any interview")
        #expect(try env.call("POST", path, body: #"{"recommendation":"no"}"#, token: w.recruiter).status == 403, "not an interviewer")
        #expect(try env.call("POST", path, body: #"{"recommendation":"no"}"#, token: w.candidate).status == 404)
        #expect(try env.call("POST", path, body: #"{"recommendation":"no"}"#).status == 401)

        let edited = try env.call("PATCH", "/api/scorecards/\(card)", body: #"{"recommendation":"yes","notes":null}"#, token: w.interviewer)
        #expect(edited.status == 200 && edited["recommendation"] == .string("yes") && edited["notes"] == .null, "\(edited.text)")
        #expect(edited["ratings"] == created["ratings"], "what the PATCH leaves out stays")
        let rerated = try env.call("PATCH", "/api/scorecards/\(card)", body: #"{"ratings":[{"attribute":"Depth","rating":3.0}]}"#, token: w.interviewer)
        #expect(rerated.status == 200 && rerated["ratings"] == .array([.object([("attribute", .string("Depth")), ("rating", .int(3))])]),
                "an integral JSON number is an integer: \(rerated.text)")
        #expect(rerated["recommendation"] == .string("yes"))
        #expect(try env.call("PATCH", "/api/scorecards/\(card)", body: #"{"recommendation":"no"}"#, token: w.admin).status == 403, "only the author")
        #expect(try env.call("PATCH", "/api/scorecards/\(card)", body: #"{"recommendation":"no"}"#, token: w.recruiter).status == 403)
        #expect(try env.call("PATCH", "/api/scorecards/\(card)", body: #"{"recommendation":"no"}"#, token: w.candidate).status == 404)
        #expect(try env.call("PATCH", "/api/scorecards/999999", body: #"{"recommendation":"no"}"#, token: w.interviewer).status == 404)

        // Validation on a fresh interview (so the author has none yet).
        let second = try #require(try schedule(w, interviewers: [w.interviewerID])["id"]?.int)
        func expect422(_ body: String, _ field: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let response = try env.call("POST", "/api/interviews/\(second)/scorecards", body: body, token: w.interviewer)
            #expect(response.status == 422 && response.text.contains("\"field\":\"\(field)\""), "\(body.prefix(60)): \(response.status) \(response.text)",
                    sourceLocation: sourceLocation)
        }
        try expect422(#"{}"#, "recommendation")
        try expect422(#"{"recommendation":"maybe"}"#, "recommendation")
        try expect422(#"{"recommendation":"yes","ratings":[{"attribute":"A","rating":5}]}"#, "ratings")
        try expect422(#"{"recommendation":"yes","ratings":[{"attribute":"A","rating":0}]}"#, "ratings")
        try expect422(#"{"recommendation":"yes","ratings":[{"attribute":"","rating":2}]}"#, "ratings")
        try expect422(#"{"recommendation":"yes","ratings":[{"attribute":"\#(String(repeating: "a", count: 101))","rating":2}]}"#, "ratings")
        try expect422(#"{"recommendation":"yes","ratings":[{"attribute":"A","rating":2,"weight":1}]}"#, "ratings")
        try expect422(#"{"recommendation":"yes","ratings":{"A":2}}"#, "ratings")
        let thirtyOne = (0..<31).map { #"{"attribute":"A\#($0)","rating":2}"# }.joined(separator: ",")
        try expect422(#"{"recommendation":"yes","ratings":[\#(thirtyOne)]}"#, "ratings")
        try expect422(#"{"recommendation":"yes","notes":"\#(String(repeating: "n", count: 10_001))"}"#, "notes")
        try expect422(#"{"recommendation":"yes","score":3}"#, "score")
        let thirty = (0..<30).map { #"{"attribute":"A\#($0)","rating":2}"# }.joined(separator: ",")
        #expect(try env.call("POST", "/api/interviews/\(second)/scorecards", body: #"{"recommendation":"yes","ratings":[\#(thirty)]}"#,
                             token: w.interviewer).status == 201, "30 ratings fit")
    }

    @Test("scorecards are blind until submitted: interviewer before and after, admin, job creator, other staff, candidates", arguments: Backend.allCases)
    func blindScorecards(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        // The admin and the interviewer interview; the admin scores first.
        let id = try #require(try schedule(w, interviewers: [w.interviewerID, w.adminID])["id"]?.int)
        #expect(try env.call("POST", "/api/interviews/\(id)/scorecards", body: #"{"recommendation":"no"}"#, token: w.admin).status == 201)
        let path = "/api/applications/\(w.applicationID)/scorecards"
        let before = try env.call("GET", path, token: w.interviewer)
        #expect(before.status == 200 && before.items.isEmpty && before.header("X-Total-Count") == "0", "blind before submitting")
        #expect(try env.call("GET", path, token: w.admin).items.count == 1, "admins always see all")
        #expect(try env.call("GET", path, token: w.recruiter).items.count == 1, "the job's creator always sees all")
        #expect(try env.call("GET", path, token: w.bystander).items.count == 1, "staff who do not interview see all")
        #expect(try env.call("GET", path, token: w.candidate).status == 403)
        #expect(try env.call("GET", path, token: w.otherCandidate).status == 404)
        #expect(try env.call("GET", path).status == 401)
        #expect(try env.call("POST", "/api/interviews/\(id)/scorecards", body: #"{"recommendation":"yes"}"#, token: w.interviewer).status == 201)
        let after = try env.call("GET", path, token: w.interviewer)
        #expect(after.items.count == 2 && after.header("X-Total-Count") == "2", "seen once submitted")
        #expect(after.items.compactMap { $0["recommendation"]?.string } == ["no", "yes"], "oldest first")
        // The job's creator stays unblinded even as an interviewer on another interview.
        _ = try schedule(w, interviewers: [w.recruiterID])
        #expect(try env.call("GET", path, token: w.recruiter).items.count == 2)
    }

    @Test("privacy: exports hold interviews (and, for the admin, notes and scorecards); anonymizing removes note and scorecard texts",
          arguments: Backend.allCases)
    func privacy(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let id = try #require(try schedule(w, interviewers: [w.interviewerID])["id"]?.int)
        #expect(try env.call("POST", "/api/interviews/\(id)/scorecards", body: #"{"recommendation":"yes","notes":"Zoë was sharp","ratings":[{"attribute":"A","rating":3}]}"#,
                             token: w.interviewer).status == 201)
        #expect(try env.call("POST", "/api/applications/\(w.applicationID)/notes", body: #"{"body":"Zoë asked about visas"}"#, token: w.recruiter).status == 201)
        func first(_ value: JSONValue?) -> JSONValue? { if case .array(let items)? = value { return items.first } else { return nil } }
        let export = try env.call("GET", "/api/candidates/\(w.candidateID)/export", token: w.admin)
        #expect(first(export["interviews"])?["id"] == .int(id) && first(export["interviews"])?["interviewer_ids"] != nil, "\(export.text)")
        #expect(first(export["notes"])?["body"] == .string("Zoë asked about visas") && first(export["scorecards"])?["notes"] == .string("Zoë was sharp"))
        let own = try env.call("GET", "/api/auth/me/export", token: w.candidate)
        #expect(first(own["interviews"])?["id"] == .int(id) && first(own["interviews"])?["interviewer_ids"] == nil && own["notes"] == nil)

        #expect(try env.call("POST", "/api/candidates/\(w.candidateID)/anonymize", token: w.admin).status == 200)
        #expect(try env.call("GET", "/api/applications/\(w.applicationID)/notes", token: w.admin).items.isEmpty)
        let cards = try env.call("GET", "/api/applications/\(w.applicationID)/scorecards", token: w.admin)
        #expect(cards.items.count == 1 && cards.items.first?["notes"] == .null && cards.items.first?["recommendation"] == .string("yes"))
        // The interview's stored event no longer names the candidate.
        let db = env.database.database
        let tenant = try #require(try db.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        let payloads = try db.read(tenant: tenant.id) { work in
            try work.transaction.rows("SELECT payload FROM events WHERE tenant_id = $1 AND type LIKE 'interview.%'", [.int(tenant.id.rawValue)]) { (row: SQLRow) throws(SQLError) -> String in try row.text(0) }
        }
        #expect(!payloads.isEmpty && payloads.allSatisfy { !$0.contains("zoe@i.io") && !$0.contains("Zoë") }, "\(payloads)")
    }

    // MARK: invitations

    /// The interview mails queued in the outbox, oldest first.
    private func interviewMails(_ env: APITestEnvironment) throws -> [OutboxMessage] {
        let db = env.database.database
        let tenant = try #require(try db.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        let rows = try db.read(tenant: tenant.id) { try $0.outbox.list(tenant.id, filter: NotificationFilter(), page: Page(limit: 100)) }
        return rows.items.filter { $0.kind.hasPrefix("interview.") }.sorted { $0.id < $1.id }
    }

    /// Runs scripts/check-ics.py (the `icalendar` package from PyPI) on `file`. Missing
    /// Python or the package is a failure, never a skip: scripts/test installs it.
    private func check(_ file: String) throws -> JSONValue {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/check-ics.py").path, file]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "check-ics.py \(file): \(String(decoding: errors, as: UTF8.self))")
        return try JSONParser.parse(Array(output))
    }

    @Test("invitations: REQUEST on create, REQUEST with SEQUENCE 1 after PATCH (CANCEL to the removed), CANCEL after cancel; parsed by icalendar",
          arguments: Backend.allCases)
    func invitations(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-ics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let transport = try MailDirectoryTransport(directory: directory)
        let from = MailAddress("hiring@acme.io", name: "Acme Hiring")
        var seen = Set<Int64>()
        /// Composes each new interview mail, writes it as .eml (and its calendar as .ics),
        /// and returns what the real parser read from both, keyed by recipient.
        func newMails() throws -> [(kind: String, recipient: String, ics: JSONValue, eml: JSONValue)] {
            var result: [(kind: String, recipient: String, ics: JSONValue, eml: JSONValue)] = []
            for message in try interviewMails(env) where !seen.contains(message.id) {
                seen.insert(message.id)
                let mail = try NotificationTemplates.compose(message, from: from, domain: "acme.io")
                let calendar = try #require(mail.calendar)
                let ics = "\(directory)/\(message.id).ics"
                try Data(calendar.rendered().utf8).write(to: URL(fileURLWithPath: ics))
                try transport.deliver(mail, key: "mail-\(message.id)")
                result.append((message.kind, message.recipient, try check(ics), try check("\(directory)/mail-\(message.id).eml")))
            }
            return result
        }

        #expect(try schedule(w, interviewers: [w.interviewerID], extra: #","notify":false"#).status == 201)
        #expect(try newMails().isEmpty, "notify: false sends nothing")

        let id = try #require(try schedule(w, interviewers: [w.interviewerID, w.adminID])["id"]?.int)
        let uid = "interview-default-\(id)@acme.io"
        let created = try newMails()
        #expect(Set(created.map(\.recipient)) == ["zoe@i.io", "int@i.io", "admin@i.io"], "the candidate and each interviewer")
        for mail in created {
            #expect(mail.kind == "interview.invitation")
            for parsed in [mail.ics, mail.eml] {
                #expect(parsed["method"] == .string("REQUEST") && parsed["uid"] == .string(uid) && parsed["sequence"] == .int(0))
                #expect(parsed["prodid"] == .string(ICalendar.productID) && parsed["version"] == .string("2.0") && parsed["status"] == .string("CONFIRMED"))
                #expect(parsed["dtstart"]?["iso"] == .string("2026-12-01T14:00:00+00:00") && parsed["dtstart"]?["utc"] == .bool(true))
                #expect(parsed["dtstart"]?["raw"] == .string("20261201T140000Z") && parsed["dtend"]?["raw"] == .string("20261201T150000Z"))
                #expect(parsed["dtstamp"]?["utc"] == .bool(true))
                #expect(parsed["summary"] == .string("Technical interview") && parsed["location"] == .string("Room 4, Berlin; 2nd floor"), "escaping round-trips")
                #expect(parsed["description"]?.string?.contains("https://meet.example.com/abc-def") == true)
                #expect(parsed["url"] == .string("https://meet.example.com/abc-def"))
                #expect(parsed["organizer"]?.string?.lowercased() == "mailto:hiring@acme.io")
                guard case .array(let attendees)? = parsed["attendees"] else {
                    Issue.record("no attendees")
                    continue
                }
                #expect(Set(attendees.compactMap { $0["address"]?.string?.lowercased() }) == ["mailto:zoe@i.io", "mailto:int@i.io", "mailto:admin@i.io"])
                #expect(attendees.contains { $0["cn"] == .string("Zoë Ünlü, PhD") }, "a multi-byte CN with a comma survives")
                #expect(attendees.allSatisfy { $0["partstat"] == .string("NEEDS-ACTION") && $0["rsvp"] == .string("TRUE") && $0["role"] == .string("REQ-PARTICIPANT") })
            }
            #expect(mail.eml["content_type_method"] == .string("REQUEST") && mail.eml["charset"]?.string?.uppercased() == "UTF-8")
        }
        #expect(created.first { $0.recipient == "zoe@i.io" }?.eml["to"]?.string?.contains("Zoë Ünlü") == true)

        // PATCH: everyone still on it gets SEQUENCE 1; the removed interviewer a CANCEL.
        #expect(try env.call("PATCH", "/api/interviews/\(id)", body: #"{"starts_at":"2026-12-02T08:00:00Z","ends_at":"2026-12-02T09:00:00Z","interviewer_ids":[\#(w.interviewerID)]}"#,
                             token: w.recruiter).status == 200)
        let updated = try newMails()
        #expect(Set(updated.filter { $0.kind == "interview.invitation" }.map(\.recipient)) == ["zoe@i.io", "int@i.io"])
        for mail in updated where mail.kind == "interview.invitation" {
            #expect(mail.ics["method"] == .string("REQUEST") && mail.ics["uid"] == .string(uid) && mail.ics["sequence"] == .int(1))
            #expect(mail.ics["dtstart"]?["raw"] == .string("20261202T080000Z"))
            #expect(mail.eml["subject"]?.string?.hasPrefix("Updated invitation") == true)
        }
        let removed = try #require(updated.first { $0.recipient == "admin@i.io" })
        #expect(removed.kind == "interview.cancellation" && removed.ics["method"] == .string("CANCEL") && removed.ics["uid"] == .string(uid))
        #expect(removed.ics["sequence"] == .int(1) && removed.ics["status"] == .string("CANCELLED") && removed.eml["content_type_method"] == .string("CANCEL"))
        #expect(updated.count == 3)

        // Cancel: METHOD:CANCEL to everyone, SEQUENCE 2.
        #expect(try env.call("POST", "/api/interviews/\(id)/cancel", token: w.recruiter).status == 200)
        let cancelled = try newMails()
        #expect(Set(cancelled.map(\.recipient)) == ["zoe@i.io", "int@i.io"])
        for mail in cancelled {
            #expect(mail.kind == "interview.cancellation")
            #expect(mail.ics["method"] == .string("CANCEL") && mail.ics["uid"] == .string(uid) && mail.ics["sequence"] == .int(2))
            #expect(mail.ics["status"] == .string("CANCELLED") && mail.eml["content_type_method"] == .string("CANCEL"))
        }
    }
}
