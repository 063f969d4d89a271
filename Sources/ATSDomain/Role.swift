/// What a user may do in their tenant (API.md, Roles).
public enum Role: String, Sendable, CaseIterable, Codable {
    case candidate
    case recruiter
    case admin

    /// Recruiters and admins run the hiring process.
    public var isStaff: Bool { self != .candidate }
}

/// A job's visibility: `open` jobs are public, `closed` stay readable by link, `draft`
/// only for staff.
public enum JobStatus: String, Sendable, CaseIterable, Codable {
    case open
    case closed
    case draft
}
