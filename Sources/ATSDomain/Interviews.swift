import ATSSupport

public typealias NoteID = ID<Note>
public typealias InterviewID = ID<Interview>
public typealias ScorecardID = ID<Scorecard>

/// A staff member's note on an application (never shown to candidates).
public struct Note: Sendable, Equatable {
    public var id: NoteID
    public var applicationID: ApplicationID
    /// Nil only if the author's row is gone.
    public var authorID: UserID?
    public var body: String
    public var createdAt: Timestamp

    public init(id: NoteID, applicationID: ApplicationID, authorID: UserID?, body: String, createdAt: Timestamp) {
        self.id = id
        self.applicationID = applicationID
        self.authorID = authorID
        self.body = body
        self.createdAt = createdAt
    }
}

public enum InterviewStatus: String, Sendable, CaseIterable {
    case scheduled, cancelled
}

/// An interview of an application. `sequence` is the iCalendar SEQUENCE of its
/// invitations: 0 when scheduled, one more on every change that sends new ones.
public struct Interview: Sendable, Equatable {
    public var id: InterviewID
    public var applicationID: ApplicationID
    public var title: String
    public var startsAt: Timestamp
    public var endsAt: Timestamp
    public var location: String?
    public var videoURL: String?
    public var interviewerIDs: [UserID]
    public var status: InterviewStatus
    public var sequence: Int64
    public var createdBy: UserID?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: InterviewID, applicationID: ApplicationID, title: String, startsAt: Timestamp, endsAt: Timestamp, location: String?,
                videoURL: String?, interviewerIDs: [UserID], status: InterviewStatus, sequence: Int64, createdBy: UserID?,
                createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.applicationID = applicationID
        self.title = title
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.location = location
        self.videoURL = videoURL
        self.interviewerIDs = interviewerIDs
        self.status = status
        self.sequence = sequence
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The longest interview (API.md): 12 hours.
    public static let maxDurationMicroseconds: Int64 = 12 * 3600 * 1_000_000
    public static let maxInterviewers = 20
}

public enum Recommendation: String, Sendable, CaseIterable {
    case strongNo = "strong_no", no, yes, strongYes = "strong_yes"
}

public struct ScorecardRating: Sendable, Equatable {
    public var attribute: String
    /// 1–4.
    public var rating: Int64

    public init(attribute: String, rating: Int64) {
        self.attribute = attribute
        self.rating = rating
    }
}

/// An interviewer's assessment of one interview.
public struct Scorecard: Sendable, Equatable {
    public var id: ScorecardID
    public var interviewID: InterviewID
    public var applicationID: ApplicationID
    public var authorID: UserID
    public var recommendation: Recommendation
    public var ratings: [ScorecardRating]
    public var notes: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: ScorecardID, interviewID: InterviewID, applicationID: ApplicationID, authorID: UserID, recommendation: Recommendation,
                ratings: [ScorecardRating], notes: String?, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.interviewID = interviewID
        self.applicationID = applicationID
        self.authorID = authorID
        self.recommendation = recommendation
        self.ratings = ratings
        self.notes = notes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public static let maxRatings = 30
}

/// What happened to an interview, as its event says.
public enum InterviewChange: String, Sendable {
    case scheduled, updated, cancelled
}

/// An interview was scheduled, changed or cancelled: everything its invitations
/// (iCalendar REQUEST or CANCEL) need, as it was at event time.
public struct InterviewChanged: Sendable, Equatable {
    public let change: InterviewChange
    public let tenantSlug: String
    public let interview: Interview
    public let jobTitle: String
    public let company: String
    /// Nil when the candidate's account is gone.
    public let candidate: EventPerson?
    /// The interviewers now (they, and the candidate, get the REQUEST or the CANCEL).
    public let interviewers: [EventPerson]
    /// Interviewers taken off the interview by this change (they get a CANCEL).
    public let removed: [EventPerson]
    /// False: recorded, but no mail goes out (the request's `notify: false`).
    public let notify: Bool

    public init(change: InterviewChange, tenantSlug: String, interview: Interview, jobTitle: String, company: String, candidate: EventPerson?,
                interviewers: [EventPerson], removed: [EventPerson], notify: Bool) {
        self.change = change
        self.tenantSlug = tenantSlug
        self.interview = interview
        self.jobTitle = jobTitle
        self.company = company
        self.candidate = candidate
        self.interviewers = interviewers
        self.removed = removed
        self.notify = notify
    }

    /// The fields the event and every invitation carry.
    public var fields: [(key: String, value: JSONValue)] {
        func person(_ p: EventPerson) -> JSONValue { .object([("name", .string(p.name)), ("email", .string(p.email))]) }
        return [
            ("tenant", .string(tenantSlug)), ("application_id", .int(interview.applicationID.rawValue)), ("interview_id", .int(interview.id.rawValue)),
            ("change", .string(change.rawValue)), ("title", .string(interview.title)), ("starts_at", .string(interview.startsAt.rfc3339)),
            ("ends_at", .string(interview.endsAt.rfc3339)), ("location", interview.location.map(JSONValue.string) ?? .null),
            ("video_url", interview.videoURL.map(JSONValue.string) ?? .null), ("sequence", .int(interview.sequence)),
            ("status", .string(interview.status.rawValue)), ("stamp", .string(interview.updatedAt.rfc3339)),
            ("job_title", .string(jobTitle)), ("company", .string(company)), ("candidate_name", .string(candidate?.name ?? "")),
            ("candidate", candidate.map(person) ?? .null), ("interviewers", .array(interviewers.map(person))),
        ]
    }
}
