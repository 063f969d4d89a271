import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Interviews, their calendar invitations, and scorecards (API.md, Interviews and scorecards).
struct InterviewRoutes: Sendable {
    let database: any Database
    let interviews: InterviewService

    func register(on router: inout Router) {
        router.add("POST", "/api/applications/{application_id}/interviews", api: scheduleInterview)
        router.add("GET", "/api/applications/{application_id}/interviews", api: applicationInterviews)
        router.add("GET", "/api/interviews", api: listInterviews)
        router.add("GET", "/api/interviews/{interview_id}", api: getInterview)
        router.add("PATCH", "/api/interviews/{interview_id}", api: updateInterview)
        router.add("POST", "/api/interviews/{interview_id}/cancel", api: cancelInterview)
        router.add("POST", "/api/interviews/{interview_id}/scorecards", api: submitScorecard)
        router.add("PATCH", "/api/scorecards/{scorecard_id}", api: updateScorecard)
        router.add("GET", "/api/applications/{application_id}/scorecards", api: applicationScorecards)
    }

    // MARK: reading fields

    /// A JSON integer; also a number with no fraction (`4.0`), as JSON Schema's `integer` allows.
    static func integer(_ value: JSONValue?) -> Int64? {
        switch value {
        case .int(let n)?: return n
        case .double(let d)? where d.rounded() == d && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }

    /// An RFC 3339 time.
    static func time(_ body: inout BodyReader, _ name: String, required: Bool) -> Timestamp? {
        guard let text = body.string(name, required: required, length: 1...64) ?? nil else { return nil }
        guard let time = Timestamp(rfc3339: text) else {
            body.fail(name, "must be an RFC 3339 date-time (2026-11-24T14:45:00Z)")
            return nil
        }
        return time
    }

    /// An array of positive ids (1–20 is the service's rule, so its message names the limit).
    static func ids(_ body: inout BodyReader, _ name: String, required: Bool) -> [UserID]? {
        guard let raw = body.json(name) else {
            if required { body.fail(name, "is required") }
            return nil
        }
        guard case .array(let items) = raw, items.count <= 1000 else {
            body.fail(name, "must be an array of user ids")
            return nil
        }
        var ids: [UserID] = []
        for item in items {
            guard let n = integer(item), n > 0 else {
                body.fail(name, "must be an array of positive user ids")
                return nil
            }
            ids.append(UserID(n))
        }
        return ids
    }

    static func videoURL(_ body: inout BodyReader) -> String?? {
        let url = body.string("video_url", length: 1...2000, nullable: true)
        if case .some(.some(let text)) = url, !JobRoutes.isHTTPURL(text) {
            body.fail("video_url", "must be an http or https URL")
            return .none
        }
        return url
    }

    /// `{recommendation, ratings?, notes?}`; `recommendation` is required when `creating`
    /// (a PATCH may leave out what it keeps: `current`).
    static func scorecardDraft(_ body: inout BodyReader, current: Scorecard?) -> ScorecardDraft? {
        let recommendation = body.choice("recommendation", Recommendation.self, required: current == nil)
        var ratings: [ScorecardRating]?
        if let raw = body.json("ratings") {
            ratings = []
            if case .array(let items) = raw {
                if items.count > Scorecard.maxRatings { body.fail("ratings", "may hold at most \(Scorecard.maxRatings) ratings") }
                for item in items where items.count <= Scorecard.maxRatings {
                    guard case .object(let fields) = item, fields.allSatisfy({ $0.key == "attribute" || $0.key == "rating" }),
                          case .string(let attribute)? = item["attribute"], let rating = integer(item["rating"]) else {
                        body.fail("ratings", "items must be {attribute, rating}")
                        break
                    }
                    let trimmed = attribute.trimming(" \t\r\n")
                    guard !trimmed.isEmpty, attribute.unicodeScalars.count <= 100, !attribute.unicodeScalars.contains("\u{0}") else {
                        body.fail("ratings", "attribute must be 1 to 100 characters")
                        break
                    }
                    guard (1...4).contains(rating) else {
                        body.fail("ratings", "rating must be 1 to 4")
                        break
                    }
                    ratings?.append(ScorecardRating(attribute: trimmed, rating: rating))
                }
            } else {
                body.fail("ratings", "must be an array")
            }
        }
        let notes = body.string("notes", length: 0...10_000, trim: false, nullable: true)
        guard let recommendation = recommendation ?? current?.recommendation else { return nil }
        return ScorecardDraft(recommendation: recommendation, ratings: ratings ?? current?.ratings ?? [], notes: notes ?? current?.notes)
    }

    // MARK: interviews

    func scheduleInterview(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = ApplicationID(try context.pathID("application_id"))
        var body = try BodyReader(request)
        let title = body.string("title", length: 1...200, nullable: true) ?? nil
        let startsAt = Self.time(&body, "starts_at", required: true)
        let endsAt = Self.time(&body, "ends_at", required: true)
        let location = body.string("location", length: 0...500, nullable: true) ?? nil
        let video = Self.videoURL(&body) ?? nil
        let interviewerIDs = Self.ids(&body, "interviewer_ids", required: true)
        let notify = body.bool("notify") ?? true
        try body.finish()
        guard let startsAt, let endsAt, let interviewerIDs else { throw APIError.validation([FieldError("starts_at", "is required")]) }
        let interview = try database.transaction(tenant: context.tenant.id) { work in
            try interviews.schedule(work, tenant: context.tenant, caller: try context.requireCaller(in: work), application: id, title: title,
                                    startsAt: startsAt, endsAt: endsAt, location: location.flatMap { $0.isEmpty ? nil : $0 }, videoURL: video,
                                    interviewerIDs: interviewerIDs, notify: notify)
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/interviews/\(interview.id)")
        return .json(201, Representation.interview(interview), headers: headers)
    }

    func applicationInterviews(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = ApplicationID(try context.pathID("application_id"))
        let pagination = try Pagination(request, try QueryReader(request))
        let (result, showsInterviewers) = try database.read(tenant: context.tenant.id) { work in
            try interviews.list(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), application: id, page: pagination.page)
        }
        return pagination.response(result.items.map { Representation.interview($0, showsInterviewers: showsInterviewers) }, total: result.total)
    }

    func listInterviews(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query)
        let interviewer = try query.id("interviewer_id").map { UserID($0) }
        let filter = InterviewFilter(interviewerID: interviewer, from: try query.timestamp("from"), to: try query.timestamp("to"))
        let result = try database.read(tenant: context.tenant.id) { work in
            try interviews.list(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), filter: filter, page: pagination.page)
        }
        return pagination.response(result.items.map { Representation.interview($0) }, total: result.total)
    }

    func getInterview(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = InterviewID(try context.pathID("interview_id"))
        let visible = try database.read(tenant: context.tenant.id) { work in
            try interviews.find(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return .json(200, Representation.interview(visible.interview, showsInterviewers: visible.showsInterviewers))
    }

    func updateInterview(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = InterviewID(try context.pathID("interview_id"))
        // Every field is optional, so an empty body is `{}` (API.md): it sends the invitations again.
        var body = try BodyReader(request, emptyIsObject: true)
        var changes = InterviewChanges()
        changes.title = body.string("title", length: 1...200) ?? nil
        changes.startsAt = Self.time(&body, "starts_at", required: false)
        changes.endsAt = Self.time(&body, "ends_at", required: false)
        changes.location = (body.string("location", length: 0...500, nullable: true)).map { $0.flatMap { $0.isEmpty ? nil : $0 } }
        changes.videoURL = Self.videoURL(&body)
        changes.interviewerIDs = Self.ids(&body, "interviewer_ids", required: false)
        let notify = body.bool("notify") ?? true
        try body.finish()
        let interview = try database.transaction(tenant: context.tenant.id) { work in
            try interviews.update(work, tenant: context.tenant, caller: try context.requireCaller(in: work), id: id, changes, notify: notify)
        }
        return .json(200, Representation.interview(interview))
    }

    /// The body may be left out (`{}`); `{"notify": false}` cancels without mail.
    func cancelInterview(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = InterviewID(try context.pathID("interview_id"))
        var body = try BodyReader(request, emptyIsObject: true)
        let notify = body.bool("notify") ?? true
        try body.finish()
        let interview = try database.transaction(tenant: context.tenant.id) { work in
            try interviews.cancel(work, tenant: context.tenant, caller: try context.requireCaller(in: work), id: id, notify: notify)
        }
        return .json(200, Representation.interview(interview))
    }

    // MARK: scorecards

    func submitScorecard(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = InterviewID(try context.pathID("interview_id"))
        var body = try BodyReader(request)
        let draft = Self.scorecardDraft(&body, current: nil)
        try body.finish()
        guard let draft else { throw APIError.validation([FieldError("recommendation", "is required")]) }
        let scorecard = try database.transaction(tenant: context.tenant.id) { work in
            try interviews.submitScorecard(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), interview: id, draft)
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/scorecards/\(scorecard.id)")
        return .json(201, Representation.scorecard(scorecard), headers: headers)
    }

    /// A partial update: what the body leaves out stays.
    func updateScorecard(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = ScorecardID(try context.pathID("scorecard_id"))
        let body = try BodyReader(request, emptyIsObject: true)
        let scorecard = try database.transaction(tenant: context.tenant.id) { work -> Scorecard in
            let caller = try context.requireCaller(in: work)
            // Read the current one first, so that a partial body keeps the rest.
            guard caller.role.isStaff, let current = try work.interviews.findScorecard(context.tenant.id, id: id) else {
                throw DomainError.notFound("No such scorecard.")
            }
            var reader = body
            let draft = Self.scorecardDraft(&reader, current: current)
            try reader.finish()
            guard let draft else { throw APIError.validation([FieldError("recommendation", "is required")]) }
            return try interviews.updateScorecard(work, tenant: context.tenant.id, caller: caller, id: id, draft)
        }
        return .json(200, Representation.scorecard(scorecard))
    }

    func applicationScorecards(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = ApplicationID(try context.pathID("application_id"))
        let pagination = try Pagination(request, try QueryReader(request))
        let result = try database.read(tenant: context.tenant.id) { work in
            try interviews.scorecards(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), application: id, page: pagination.page)
        }
        return pagination.response(result.items.map(Representation.scorecard), total: result.total)
    }
}
