/// What can go wrong in the data layer, in domain terms. Adapters map SQLSTATEs and
/// sqlite result codes to these so that no handler ever sees SQL. Descriptions never
/// contain bound values (they may be personal data or secrets).
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound
    case duplicateEmail
    case duplicateSlug
    case alreadyApplied
    /// The row changed since the version the caller read (optimistic concurrency).
    case staleVersion
    /// A job still has applications (delete refused; close it instead).
    case hasDependents
    /// Another constraint refused the write (a CHECK or a foreign key), by name.
    case constraintViolation(String)
    /// The database is unreachable or the connection dropped; retrying later may work.
    case unavailable(String)
    /// The statement ran past its time limit.
    case timeout
    /// Anything else: a bug or an unexpected database state. The message is safe to log.
    case internalError(String)

    public var description: String {
        switch self {
        case .notFound: return "not found"
        case .duplicateEmail: return "email already registered in this tenant"
        case .duplicateSlug: return "a tenant with this slug already exists"
        case .alreadyApplied: return "the candidate has already applied to this job"
        case .staleVersion: return "the row was changed by someone else"
        case .hasDependents: return "the row still has dependent rows"
        case .constraintViolation(let name): return "constraint \(name) refused the change"
        case .unavailable(let why): return "database unavailable: \(why)"
        case .timeout: return "database statement timed out"
        case .internalError(let why): return "database error: \(why)"
        }
    }
}
