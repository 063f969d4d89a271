import ATSDomain
import ATSSupport

/// `limit`/`offset` pagination (API.md: limit 1–100, offset ≥ 0; validated by the API).
public struct Page: Sendable, Equatable {
    public var limit: Int
    public var offset: Int

    public init(limit: Int = 20, offset: Int = 0) {
        self.limit = limit
        self.offset = offset
    }
}

/// One page of rows and how many rows match in all (`X-Total-Count`).
public struct PageResult<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int

    public init(items: [Item], total: Int) {
        self.items = items
        self.total = total
    }
}

/// The filters of `GET /api/jobs/`. `statuses` is what the caller may see (anonymous
/// users and candidates: open only); `q` matches title, company, location and
/// description case-insensitively; `company` and `location` match exactly, ignoring case.
public struct JobFilter: Sendable, Equatable {
    public var statuses: [JobStatus]
    public var q: String?
    public var company: String?
    public var location: String?

    public init(statuses: [JobStatus] = JobStatus.allCases, q: String? = nil, company: String? = nil, location: String? = nil) {
        self.statuses = statuses
        self.q = q
        self.company = company
        self.location = location
    }
}

public struct ApplicationFilter: Sendable, Equatable {
    public var jobID: JobID?
    public var candidateID: UserID?
    public var stage: Stage?

    public init(jobID: JobID? = nil, candidateID: UserID? = nil, stage: Stage? = nil) {
        self.jobID = jobID
        self.candidateID = candidateID
        self.stage = stage
    }
}

public struct UserFilter: Sendable, Equatable {
    public var role: Role?
    /// Case-insensitive substring of email or full name.
    public var q: String?

    public init(role: Role? = nil, q: String? = nil) {
        self.role = role
        self.q = q
    }
}

public struct NotificationFilter: Sendable, Equatable {
    public var status: OutboxStatus?

    public init(status: OutboxStatus? = nil) { self.status = status }
}
