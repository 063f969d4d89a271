import ATSSupport

/// What a business rule refuses, in the domain's words. Services throw these; the API
/// maps them to problem+json in one place (`ProblemMapper`), the CLI prints them.
public enum DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No such thing in this tenant, or the caller may not know it exists.
    case notFound(String)
    /// Signed in, but the role (or ownership) does not allow it.
    case forbidden(String)
    /// Not signed in, or the account is gone or inactive.
    case unauthenticated(String)
    /// The state forbids it (closed job, illegal stage move); `allowedStages` lists the
    /// legal next stages where that is the reason.
    case conflict(String, allowedStages: [Stage]? = nil)
    /// A conflict the client can resolve with what `details` names (the existing record
    /// a duplicate clashes with, the jobs two candidates both applied to).
    case conflictWith(String, ConflictDetails)
    /// The caller's `If-Match` names a version that is no longer current.
    case preconditionFailed(String)
    /// A value the request gave does not fit (a stage the job's pipeline does not have).
    case invalid(field: String, String)
    /// A conflict about several things, named in the problem's `member` (the stages a
    /// pipeline edit strands, the applications a bulk move cannot move).
    case conflictListing(String, member: String, items: [JSONValue])
    /// Some of several things do not exist, named in the problem's `member`.
    case notFoundListing(String, member: String, items: [JSONValue])
    /// Content of a kind not accepted, or not the kind it was declared as (an upload).
    case unsupportedContent(String)

    public var description: String {
        switch self {
        case .notFound(let why), .forbidden(let why), .unauthenticated(let why), .conflict(let why, _), .conflictWith(let why, _), .preconditionFailed(let why): return why
        case .invalid(let field, let why): return "\(field): \(why)"
        case .conflictListing(let why, _, _), .notFoundListing(let why, _, _): return why
        case .unsupportedContent(let why): return why
        }
    }
}

/// What a 409 carries besides its detail (problem+json extension members).
public struct ConflictDetails: Sendable, Equatable {
    /// `existing_id`: the record the request duplicates.
    public var existingID: Int64?
    /// `job_ids`: the jobs the conflict is about.
    public var jobIDs: [JobID]?

    public init(existingID: Int64? = nil, jobIDs: [JobID]? = nil) {
        self.existingID = existingID
        self.jobIDs = jobIDs
    }
}
