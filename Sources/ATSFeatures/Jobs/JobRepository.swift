import ATSDomain
import ATSPersistence
import ATSSupport

public struct NewJob: Sendable {
    public var title: String
    public var company: String
    public var description: String?
    public var location: String?
    public var status: JobStatus
    public var createdBy: UserID

    public init(title: String, company: String, description: String? = nil, location: String? = nil, status: JobStatus = .open, createdBy: UserID) {
        self.title = title
        self.company = company
        self.description = description
        self.location = location
        self.status = status
        self.createdBy = createdBy
    }
}

public struct JobChanges: Sendable {
    public var title: String?
    public var company: String?
    public var description: String??
    public var location: String??
    public var status: JobStatus?

    public init(title: String? = nil, company: String? = nil, description: String?? = nil, location: String?? = nil, status: JobStatus? = nil) {
        self.title = title
        self.company = company
        self.description = description
        self.location = location
        self.status = status
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

public protocol JobRepository {
    func create(_ tenant: TenantID, _ job: NewJob) throws -> Job
    func find(_ tenant: TenantID, id: JobID) throws -> Job?
    /// Newest first (created_at, then id, descending).
    func list(_ tenant: TenantID, filter: JobFilter, page: Page) throws -> PageResult<Job>
    func update(_ tenant: TenantID, id: JobID, _ changes: JobChanges) throws -> Job
    /// Throws `.hasDependents` when the job has applications.
    func delete(_ tenant: TenantID, id: JobID) throws
}
