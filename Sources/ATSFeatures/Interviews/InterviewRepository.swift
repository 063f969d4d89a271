import ATSDomain
import ATSPersistence
import ATSSupport

/// What an interview is scheduled with, or changed to.
public struct InterviewDraft: Sendable, Equatable {
    public var title: String
    public var startsAt: Timestamp
    public var endsAt: Timestamp
    public var location: String?
    public var videoURL: String?
    public var interviewerIDs: [UserID]

    public init(title: String, startsAt: Timestamp, endsAt: Timestamp, location: String?, videoURL: String?, interviewerIDs: [UserID]) {
        self.title = title
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.location = location
        self.videoURL = videoURL
        self.interviewerIDs = interviewerIDs
    }
}

public struct InterviewFilter: Sendable, Equatable {
    public var applicationID: ApplicationID?
    public var interviewerID: UserID?
    /// `starts_at` in `[from, to)`.
    public var from: Timestamp?
    public var to: Timestamp?

    public init(applicationID: ApplicationID? = nil, interviewerID: UserID? = nil, from: Timestamp? = nil, to: Timestamp? = nil) {
        self.applicationID = applicationID
        self.interviewerID = interviewerID
        self.from = from
        self.to = to
    }
}

public struct ScorecardDraft: Sendable, Equatable {
    public var recommendation: Recommendation
    public var ratings: [ScorecardRating]
    public var notes: String?

    public init(recommendation: Recommendation, ratings: [ScorecardRating], notes: String?) {
        self.recommendation = recommendation
        self.ratings = ratings
        self.notes = notes
    }
}

/// Interviews, their interviewers, and scorecards.
public protocol InterviewRepository {
    func create(_ tenant: TenantID, application: ApplicationID, _ draft: InterviewDraft, createdBy: UserID) throws -> Interview
    func find(_ tenant: TenantID, id: InterviewID) throws -> Interview?
    /// Writes `draft` (interviewers replaced), `status`, bumps the SEQUENCE; `.notFound` when gone.
    func update(_ tenant: TenantID, id: InterviewID, _ draft: InterviewDraft, status: InterviewStatus) throws -> Interview
    /// By `starts_at`, then id (a calendar's order).
    func list(_ tenant: TenantID, filter: InterviewFilter, page: Page) throws -> PageResult<Interview>
    /// Whether `user` interviews on any interview of the application.
    func isInterviewer(_ tenant: TenantID, application: ApplicationID, user: UserID) throws -> Bool

    /// `StorageError.constraintViolation("scorecards_one_per_author")` when the author already has one for the interview.
    func createScorecard(_ tenant: TenantID, interview: Interview, author: UserID, _ draft: ScorecardDraft) throws -> Scorecard
    func findScorecard(_ tenant: TenantID, id: ScorecardID) throws -> Scorecard?
    func updateScorecard(_ tenant: TenantID, id: ScorecardID, _ draft: ScorecardDraft) throws -> Scorecard
    /// Oldest first.
    func scorecards(_ tenant: TenantID, application: ApplicationID, page: Page) throws -> PageResult<Scorecard>
    /// Whether `author` has submitted a scorecard for any interview of the application.
    func hasScorecard(_ tenant: TenantID, application: ApplicationID, author: UserID) throws -> Bool
    /// Anonymization: scorecard notes on `candidate`'s applications are cleared;
    /// recommendations and ratings stay (for reports).
    func removePersonalData(_ tenant: TenantID, candidate: UserID) throws
}
