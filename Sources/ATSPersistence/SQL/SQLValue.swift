import ATSDomain
import ATSSupport

/// A bound parameter. Adapters render each case in their own way (PostgreSQL text
/// parameters, sqlite3_bind_*); SQL text never contains values.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case text(String)
    case bool(Bool)
    case timestamp(Timestamp)
    /// Bytes (bytea / BLOB), sent as they are, never as text.
    case blob(ArraySlice<UInt8>)

    public static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }
}

extension Timestamp {
    /// Fixed-width UTC text (`2026-11-24T14:45:17.123456Z`): sorts correctly as text in
    /// SQLite and parses as timestamptz in PostgreSQL.
    public var sqlText: String { rfc3339WithMicroseconds }
}

/// One result row as text cells (nil for NULL), read through typed accessors that
/// throw instead of trapping when the database returns something unexpected.
public struct SQLRow: Sendable {
    public let cells: [String?]

    public init(cells: [String?]) { self.cells = cells }

    public func optionalText(_ i: Int) throws(SQLError) -> String? {
        guard i < cells.count else { throw .decoding("column \(i) missing") }
        return cells[i]
    }

    public func text(_ i: Int) throws(SQLError) -> String {
        guard let value = try optionalText(i) else { throw .decoding("column \(i) is NULL") }
        return value
    }

    public func int(_ i: Int) throws(SQLError) -> Int64 {
        let value = try text(i)
        guard let n = Int64(value) else { throw .decoding("column \(i) is not an integer") }
        return n
    }

    public func optionalInt(_ i: Int) throws(SQLError) -> Int64? {
        guard let value = try optionalText(i) else { return nil }
        guard let n = Int64(value) else { throw .decoding("column \(i) is not an integer") }
        return n
    }

    public func double(_ i: Int) throws(SQLError) -> Double {
        let value = try text(i)
        guard let n = Double(value), n.isFinite else { throw .decoding("column \(i) is not a number") }
        return n
    }

    /// PostgreSQL prints booleans as `t`/`f`; SQLite stores 1/0.
    public func bool(_ i: Int) throws(SQLError) -> Bool {
        switch try text(i) {
        case "t", "true", "1": return true
        case "f", "false", "0": return false
        default: throw .decoding("column \(i) is not a boolean")
        }
    }

    public func timestamp(_ i: Int) throws(SQLError) -> Timestamp {
        guard let value = Timestamp(rfc3339: try text(i)) else { throw .decoding("column \(i) is not a timestamp") }
        return value
    }

    public func optionalTimestamp(_ i: Int) throws(SQLError) -> Timestamp? {
        guard let value = try optionalText(i) else { return nil }
        guard let stamp = Timestamp(rfc3339: value) else { throw .decoding("column \(i) is not a timestamp") }
        return stamp
    }
}

/// A database error classified by what it means, not by engine. Messages never include
/// bound values.
public enum SQLError: Error, Sendable, Equatable, CustomStringConvertible {
    case uniqueViolation(String)
    case foreignKeyViolation(String)
    case checkViolation(String)
    /// The connection is gone (server restart, network); the statement did not run or
    /// its outcome is unknown.
    case connectionLost(String)
    case timeout
    /// SQLite: the database stayed locked past busy_timeout.
    case busy
    case decoding(String)
    case other(code: String, message: String)

    public var description: String {
        switch self {
        case .uniqueViolation(let what): return "unique violation (\(what))"
        case .foreignKeyViolation(let what): return "foreign key violation (\(what))"
        case .checkViolation(let what): return "check violation (\(what))"
        case .connectionLost(let why): return "connection lost: \(why)"
        case .timeout: return "statement timeout"
        case .busy: return "database is locked"
        case .decoding(let why): return "unexpected result: \(why)"
        case .other(let code, let message): return "\(code): \(message)"
        }
    }

    /// The domain meaning, when no repository-specific mapping applies.
    public var storageError: StorageError {
        switch self {
        case .uniqueViolation(let what), .foreignKeyViolation(let what), .checkViolation(let what): return .constraintViolation(what)
        case .connectionLost(let why): return .unavailable(why)
        case .timeout: return .timeout
        case .busy: return .unavailable("database is locked")
        case .decoding(let why): return .internalError(why)
        case .other(let code, let message): return .internalError("\(code) \(message)")
        }
    }
}

/// One open connection, used by one thread at a time. SQL uses `$1, $2, …` placeholders
/// in both dialects (the SQLite adapter rewrites them to `?1, ?2, …`).
public protocol SQLConnection: AnyObject {
    var capabilities: any SQLCapabilities { get }
    /// Statements sent to the server since the connection opened (each `query`,
    /// `execute` and `executeScript` is one round trip): tests assert per-request counts.
    var roundTrips: Int { get }
    /// Runs a statement (prepared and cached per connection) and returns its rows.
    func query(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [SQLRow]
    /// Runs a statement; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> Int
    /// Runs a query whose first column is a blob and returns that column of its first
    /// row as raw bytes (nil: no row, or NULL): files are read as they are stored, not
    /// through text cells.
    func queryBytes(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [UInt8]?
    /// Runs several statements without parameters (migration files).
    func executeScript(_ sql: String) throws(SQLError)
    /// True when an error inside the current transaction has doomed it (PostgreSQL aborts
    /// the whole transaction on any error; its COMMIT then silently rolls back).
    var transactionAborted: Bool { get }
    /// Starts a transaction with `statements` (BEGIN, then the tenant scope). A driver may
    /// hold them and send them with the first statement that follows, in one round trip.
    func begin(_ statements: [String]) throws(SQLError)
    /// True when the connection was found dead while sending a held begin: nothing of the
    /// transaction ran, so the unit of work may be retried on another connection.
    var lostBeforeFirstStatement: Bool { get }
}

extension SQLConnection {
    public var dialect: SQLDialect { capabilities.dialect }

    public func begin(_ statements: [String]) throws(SQLError) {
        try executeScript(statements.joined(separator: "; "))
    }

    public var lostBeforeFirstStatement: Bool { false }

    public func queryOne(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> SQLRow? {
        try query(sql, parameters).first
    }
}
