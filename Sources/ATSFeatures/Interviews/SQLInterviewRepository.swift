import ATSDomain
import ATSPersistence
import ATSSupport

/// Interviews (interviewers in their own table: portable, unlike an array column) and
/// scorecards (ratings as a JSON text column: always read and written whole) in
/// portable SQL.
public struct SQLInterviewRepository: InterviewRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    private static let columns = "id, application_id, title, starts_at, ends_at, location, video_url, status, sequence, created_by, created_at, updated_at"

    private static func interview(_ row: SQLRow) throws(SQLError) -> Interview {
        guard let status = InterviewStatus(rawValue: try row.text(7)) else { throw .decoding("unknown interview status") }
        return Interview(id: InterviewID(try row.int(0)), applicationID: ApplicationID(try row.int(1)), title: try row.text(2),
                         startsAt: try row.timestamp(3), endsAt: try row.timestamp(4), location: try row.optionalText(5), videoURL: try row.optionalText(6),
                         interviewerIDs: [], status: status, sequence: try row.int(8), createdBy: try row.optionalInt(9).map { UserID($0) },
                         createdAt: try row.timestamp(10), updatedAt: try row.timestamp(11))
    }

    /// Fills in the interviewers of `interviews` with one query.
    private func withInterviewers(_ tenant: TenantID, _ interviews: [Interview]) throws(SQLError) -> [Interview] {
        guard !interviews.isEmpty else { return interviews }
        var statement = SQLStatement("SELECT interview_id, user_id FROM interview_interviewers WHERE tenant_id = $1 AND interview_id IN (")
        _ = statement.bind(.int(tenant.rawValue))
        statement.append(interviews.map { statement.bind(.int($0.id.rawValue)) }.joined(separator: ", ") + ") ORDER BY interview_id, position")
        var byInterview: [Int64: [UserID]] = [:]
        for row in try tx.connection.query(statement.sql, statement.parameters) {
            byInterview[try row.int(0), default: []].append(UserID(try row.int(1)))
        }
        return interviews.map { interview in
            var copy = interview
            copy.interviewerIDs = byInterview[interview.id.rawValue] ?? []
            return copy
        }
    }

    private func insertInterviewers(_ tenant: TenantID, _ id: InterviewID, _ users: [UserID]) throws(SQLError) {
        guard !users.isEmpty else { return }
        var insert = SQLStatement("INSERT INTO interview_interviewers (tenant_id, interview_id, user_id, position) VALUES ")
        let rows = users.enumerated().map { (i, user) in
            "(" + [SQLValue.int(tenant.rawValue), .int(id.rawValue), .int(user.rawValue), .int(Int64(i))].map { insert.bind($0) }.joined(separator: ", ") + ")"
        }
        insert.append(rows.joined(separator: ", "))
        try tx.connection.execute(insert.sql, insert.parameters)
    }

    public func create(_ tenant: TenantID, application: ApplicationID, _ draft: InterviewDraft, createdBy: UserID) throws -> Interview {
        try tx.run(foreignKey: .notFound) { () throws(SQLError) -> Interview in
            let now = tx.now()
            let id = InterviewID(try tx.insert(into: "interviews", [
                ("tenant_id", .int(tenant.rawValue)), ("application_id", .int(application.rawValue)), ("title", .text(draft.title)),
                ("starts_at", .timestamp(draft.startsAt)), ("ends_at", .timestamp(draft.endsAt)), ("location", .optional(draft.location)),
                ("video_url", .optional(draft.videoURL)), ("status", .text(InterviewStatus.scheduled.rawValue)), ("sequence", .int(0)),
                ("created_by", .int(createdBy.rawValue)), ("created_at", .timestamp(now)), ("updated_at", .timestamp(now)),
            ]))
            try insertInterviewers(tenant, id, draft.interviewerIDs)
            return Interview(id: id, applicationID: application, title: draft.title, startsAt: draft.startsAt, endsAt: draft.endsAt,
                             location: draft.location, videoURL: draft.videoURL, interviewerIDs: draft.interviewerIDs, status: .scheduled,
                             sequence: 0, createdBy: createdBy, createdAt: now, updatedAt: now)
        }
    }

    public func find(_ tenant: TenantID, id: InterviewID) throws -> Interview? {
        try tx.run { () throws(SQLError) -> Interview? in
            guard let row = try tx.connection.queryOne("SELECT \(Self.columns) FROM interviews WHERE tenant_id = $1 AND id = $2",
                                                       [.int(tenant.rawValue), .int(id.rawValue)]) else { return nil }
            return try withInterviewers(tenant, [try Self.interview(row)]).first
        }
    }

    public func update(_ tenant: TenantID, id: InterviewID, _ draft: InterviewDraft, status: InterviewStatus) throws -> Interview {
        let row = try tx.run(foreignKey: .notFound) { () throws(SQLError) -> SQLRow? in
            let row = try tx.connection.queryOne("""
                UPDATE interviews SET title = $1, starts_at = $2, ends_at = $3, location = $4, video_url = $5, status = $6,
                    sequence = sequence + 1, updated_at = $7
                WHERE tenant_id = $8 AND id = $9 RETURNING \(Self.columns)
                """, [.text(draft.title), .timestamp(draft.startsAt), .timestamp(draft.endsAt), .optional(draft.location), .optional(draft.videoURL),
                      .text(status.rawValue), .timestamp(tx.now()), .int(tenant.rawValue), .int(id.rawValue)])
            guard row != nil else { return nil }
            try tx.connection.execute("DELETE FROM interview_interviewers WHERE tenant_id = $1 AND interview_id = $2", [.int(tenant.rawValue), .int(id.rawValue)])
            try insertInterviewers(tenant, id, draft.interviewerIDs)
            return row
        }
        guard let row else { throw StorageError.notFound }
        return try tx.run { () throws(SQLError) -> Interview in
            var interview = try Self.interview(row)
            interview.interviewerIDs = draft.interviewerIDs
            return interview
        }
    }

    public func list(_ tenant: TenantID, filter: InterviewFilter, page: Page) throws -> PageResult<Interview> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if let application = filter.applicationID { condition.append(" AND application_id = \(condition.bind(.int(application.rawValue)))") }
        if let user = filter.interviewerID {
            condition.append(" AND id IN (SELECT interview_id FROM interview_interviewers WHERE tenant_id = $1 AND user_id = \(condition.bind(.int(user.rawValue))))")
        }
        if let from = filter.from { condition.append(" AND starts_at >= \(condition.bind(.timestamp(from)))") }
        if let to = filter.to { condition.append(" AND starts_at < \(condition.bind(.timestamp(to)))") }
        let result = try tx.page("interviews", columns: Self.columns, where: condition, orderBy: "starts_at, id", page: page, decode: Self.interview)
        let items = try tx.run { () throws(SQLError) -> [Interview] in try withInterviewers(tenant, result.items) }
        return PageResult(items: items, total: result.total)
    }

    public func isInterviewer(_ tenant: TenantID, application: ApplicationID, user: UserID) throws -> Bool {
        try tx.run { () throws(SQLError) -> Bool in
            try tx.connection.queryOne("""
                SELECT 1 FROM interview_interviewers ii JOIN interviews i ON i.tenant_id = ii.tenant_id AND i.id = ii.interview_id
                WHERE ii.tenant_id = $1 AND i.application_id = $2 AND ii.user_id = $3 LIMIT 1
                """, [.int(tenant.rawValue), .int(application.rawValue), .int(user.rawValue)]) != nil
        }
    }

    // MARK: scorecards

    private static let scorecardColumns = "id, interview_id, application_id, author_id, recommendation, ratings, notes, created_at, updated_at"

    private static func scorecard(_ row: SQLRow) throws(SQLError) -> Scorecard {
        guard let recommendation = Recommendation(rawValue: try row.text(4)) else { throw .decoding("unknown recommendation") }
        return Scorecard(id: ScorecardID(try row.int(0)), interviewID: InterviewID(try row.int(1)), applicationID: ApplicationID(try row.int(2)),
                         authorID: UserID(try row.int(3)), recommendation: recommendation, ratings: try ratings(try row.text(5)),
                         notes: try row.optionalText(6), createdAt: try row.timestamp(7), updatedAt: try row.timestamp(8))
    }

    static func ratingsText(_ ratings: [ScorecardRating]) -> String {
        JSONValue.array(ratings.map { .object([("attribute", .string($0.attribute)), ("rating", .int($0.rating))]) }).text
    }

    static func ratings(_ text: String) throws(SQLError) -> [ScorecardRating] {
        guard case .array(let items)? = try? JSONParser.parse(Array(text.utf8)) else { throw .decoding("scorecard ratings are not a JSON array") }
        return items.compactMap { item in
            guard case .string(let attribute)? = item["attribute"], case .int(let rating)? = item["rating"] else { return nil }
            return ScorecardRating(attribute: attribute, rating: rating)
        }
    }

    public func createScorecard(_ tenant: TenantID, interview: Interview, author: UserID, _ draft: ScorecardDraft) throws -> Scorecard {
        try tx.run(unique: .constraintViolation("scorecards_one_per_author"), foreignKey: .notFound) { () throws(SQLError) -> Scorecard in
            let now = tx.now()
            let id = try tx.insert(into: "scorecards", [
                ("tenant_id", .int(tenant.rawValue)), ("interview_id", .int(interview.id.rawValue)), ("application_id", .int(interview.applicationID.rawValue)),
                ("author_id", .int(author.rawValue)), ("recommendation", .text(draft.recommendation.rawValue)), ("ratings", .text(Self.ratingsText(draft.ratings))),
                ("notes", .optional(draft.notes)), ("created_at", .timestamp(now)), ("updated_at", .timestamp(now)),
            ])
            return Scorecard(id: ScorecardID(id), interviewID: interview.id, applicationID: interview.applicationID, authorID: author,
                             recommendation: draft.recommendation, ratings: draft.ratings, notes: draft.notes, createdAt: now, updatedAt: now)
        }
    }

    public func findScorecard(_ tenant: TenantID, id: ScorecardID) throws -> Scorecard? {
        try tx.run { () throws(SQLError) -> Scorecard? in
            try tx.connection.queryOne("SELECT \(Self.scorecardColumns) FROM scorecards WHERE tenant_id = $1 AND id = $2",
                                       [.int(tenant.rawValue), .int(id.rawValue)]).map(Self.scorecard)
        }
    }

    public func updateScorecard(_ tenant: TenantID, id: ScorecardID, _ draft: ScorecardDraft) throws -> Scorecard {
        let row = try tx.run { () throws(SQLError) -> SQLRow? in
            try tx.connection.queryOne("""
                UPDATE scorecards SET recommendation = $1, ratings = $2, notes = $3, updated_at = $4 WHERE tenant_id = $5 AND id = $6
                RETURNING \(Self.scorecardColumns)
                """, [.text(draft.recommendation.rawValue), .text(Self.ratingsText(draft.ratings)), .optional(draft.notes), .timestamp(tx.now()),
                      .int(tenant.rawValue), .int(id.rawValue)])
        }
        guard let row else { throw StorageError.notFound }
        return try tx.run { () throws(SQLError) -> Scorecard in try Self.scorecard(row) }
    }

    public func scorecards(_ tenant: TenantID, application: ApplicationID, page: Page) throws -> PageResult<Scorecard> {
        var condition = SQLStatement(" WHERE tenant_id = $1 AND application_id = $2")
        _ = condition.bind(.int(tenant.rawValue))
        _ = condition.bind(.int(application.rawValue))
        return try tx.page("scorecards", columns: Self.scorecardColumns, where: condition, orderBy: "created_at, id", page: page, decode: Self.scorecard)
    }

    public func hasScorecard(_ tenant: TenantID, application: ApplicationID, author: UserID) throws -> Bool {
        try tx.run { () throws(SQLError) -> Bool in
            try tx.connection.queryOne("SELECT 1 FROM scorecards WHERE tenant_id = $1 AND application_id = $2 AND author_id = $3 LIMIT 1",
                                       [.int(tenant.rawValue), .int(application.rawValue), .int(author.rawValue)]) != nil
        }
    }

    public func removePersonalData(_ tenant: TenantID, candidate: UserID) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                UPDATE scorecards SET notes = NULL
                WHERE tenant_id = $1 AND notes IS NOT NULL AND application_id IN (SELECT id FROM applications WHERE tenant_id = $1 AND candidate_id = $2)
                """, [.int(tenant.rawValue), .int(candidate.rawValue)])
        }
    }
}
