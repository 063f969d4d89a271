import ATSDomain
import ATSPersistence

/// The filters of the candidates list (API.md, Candidates); all given ones must match.
public struct CandidateFilter: Sendable, Equatable {
    /// Case-insensitive substring of name, email, phone or a tag.
    public var q: String?
    /// Tags (lower-cased, trimmed), each of which the candidate must have.
    public var tags: [String]
    /// Exact source.
    public var source: String?
    /// Applied to this job.
    public var jobID: JobID?

    public init(q: String? = nil, tags: [String] = [], source: String? = nil, jobID: JobID? = nil) {
        self.q = q
        self.tags = tags
        self.source = source
        self.jobID = jobID
    }
}

/// The talent pool's own queries; a candidate's row itself is a user (`UserRepository`).
public protocol CandidateRepository {
    /// Users with role candidate matching `filter`, newest first.
    func list(_ tenant: TenantID, filter: CandidateFilter, page: Page) throws -> PageResult<User>
    /// The users among `ids` (any role), their rows locked until the transaction ends
    /// (PostgreSQL; SQLite's single writer serializes already), in id order.
    func lock(_ tenant: TenantID, ids: [UserID]) throws -> [User]
    /// The jobs both candidates applied to, ascending.
    func sharedJobs(_ tenant: TenantID, _ a: UserID, _ b: UserID) throws -> [JobID]
    /// Gives every application of `from` (and so its events) to `to`, bumping each
    /// application's version; returns how many moved.
    func moveApplications(_ tenant: TenantID, from: UserID, to: UserID) throws -> Int
}
