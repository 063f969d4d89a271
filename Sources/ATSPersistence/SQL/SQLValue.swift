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

/// One result row as text cells (NULL apart), read through typed accessors that throw
/// instead of trapping when the database returns something unexpected. The cells of a
/// whole result sit back to back in one buffer shared by its rows (not a String per
/// cell); a cell becomes a String only when read as text, and integers and timestamps
/// are parsed from the bytes (every row of every list goes through here).
public struct SQLRow: Sendable {
    private let result: SQLResultStorage
    /// This row's first cell in the result's `ends`.
    private let first: Int
    public let count: Int

    public init(cells: [String?]) {
        var builder = SQLResultBuilder()
        builder.beginRow()
        for cell in cells {
            if var cell {
                cell.withUTF8 { builder.append(UnsafeRawBufferPointer($0)) }
            } else {
                builder.appendNull()
            }
        }
        self = builder.rows()[0]
    }

    fileprivate init(result: SQLResultStorage, first: Int, count: Int) {
        self.result = result
        self.first = first
        self.count = count
    }


    /// Every cell as text (tests, and the rare caller that splits a row).
    public var cells: [String?] { (0..<count).map { try? optionalText($0) } }

    /// Calls `body` with cell `i`'s bytes, or nil for NULL.
    @inline(__always)
    private func withCell<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>?) throws(SQLError) -> R) throws(SQLError) -> R {
        guard i >= 0 && i < count else { throw .decoding("column \(i) missing") }
        let cell = first + i
        let ends = result.ends
        let end = ends[cell]
        if end < 0 { return try body(nil) }
        let start = cell == 0 ? 0 : (ends[cell - 1] < 0 ? ~ends[cell - 1] : ends[cell - 1])
        return try body(UnsafeBufferPointer(start: result.cells.base + start, count: end - start))
    }

    public func isNull(_ i: Int) throws(SQLError) -> Bool {
        try withCell(i) { $0 == nil }
    }

    public func optionalText(_ i: Int) throws(SQLError) -> String? {
        try withCell(i) { cell in cell.map { String(decoding: $0, as: UTF8.self) } }
    }

    public func text(_ i: Int) throws(SQLError) -> String {
        guard let value = try optionalText(i) else { throw .decoding("column \(i) is NULL") }
        return value
    }

    public func int(_ i: Int) throws(SQLError) -> Int64 {
        guard let n = try optionalInt(i) else { throw .decoding("column \(i) is NULL") }
        return n
    }

    public func optionalInt(_ i: Int) throws(SQLError) -> Int64? {
        try withCell(i) { (cell) throws(SQLError) -> Int64? in
            guard let cell else { return nil }
            guard let n = SQLRow.parseInteger(cell) else { throw .decoding("column \(i) is not an integer") }
            return n
        }
    }

    /// Decimal digits with an optional sign, as both engines print integers.
    private static func parseInteger(_ digits: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { index = 1 }
        guard index < digits.count else { return nil }
        var magnitude: UInt64 = 0
        while index < digits.count {
            let digit = digits[index] &- 0x30
            guard digit < 10 else { return nil }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            guard !o1 && !o2 else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
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
        guard let value = try optionalTimestamp(i) else { throw .decoding("column \(i) is NULL") }
        return value
    }

    public func optionalTimestamp(_ i: Int) throws(SQLError) -> Timestamp? {
        try withCell(i) { (cell) throws(SQLError) -> Timestamp? in
            guard let cell else { return nil }
            guard let stamp = Timestamp(rfc3339: cell) else { throw .decoding("column \(i) is not a timestamp") }
            return stamp
        }
    }
}

/// A whole result's cells, back to back, and where each ends (a NULL as the complement
/// of its empty end). Written once by `SQLResultBuilder`, then only read.
final class SQLResultStorage: @unchecked Sendable {
    let cells: ByteBuffer
    let ends: [Int]

    init(cells: consuming ByteBuffer, ends: [Int]) {
        self.cells = cells
        self.ends = ends
    }
}

/// Collects a result's rows as an adapter reads them: `beginRow`, then each cell.
public struct SQLResultBuilder: ~Copyable {
    private var cells: ByteBuffer
    private var ends: [Int] = []
    private var rowStarts: [Int] = []

    public init(rows: Int = 0, columns: Int = 0) {
        cells = ByteBuffer(capacity: max(256, rows * columns * 16))
        ends.reserveCapacity(max(16, rows * columns))
        if rows > 0 { rowStarts.reserveCapacity(rows) }
    }

    public mutating func beginRow() { rowStarts.append(ends.count) }

    public mutating func appendNull() { ends.append(~cells.count) }

    public mutating func append(_ cell: UnsafeRawBufferPointer) {
        cells.append(cell.assumingMemoryBound(to: UInt8.self))
        ends.append(cells.count)
    }

    /// An integer cell, as the decimal digits the text cells hold.
    public mutating func append(_ n: Int64) {
        cells.appendDecimal(n)
        ends.append(cells.count)
    }

    /// The rows, sharing the result's storage (handed over: the builder is done).
    public consuming func rows() -> [SQLRow] {
        let total = ends.count
        let starts = rowStarts
        let storage = SQLResultStorage(cells: cells, ends: ends)
        var rows: [SQLRow] = []
        rows.reserveCapacity(starts.count)
        for (index, start) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1] : total
            rows.append(SQLRow(result: storage, first: start, count: end - start))
        }
        return rows
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
    /// Starts read-only work without a transaction where the driver can: each statement
    /// then runs in an implicit transaction of its own, with the tenant scope and
    /// read-only mode set for it in the same round trip (no BEGIN, no COMMIT). False:
    /// the caller uses `begin` as for any transaction.
    func beginScopedReads(tenant: TenantID?) -> Bool
    /// Ends scoped reads; a script run meanwhile (a savepoint) had to open a transaction,
    /// which this commits (or, `commit` false, rolls back).
    func endScopedReads(commit: Bool) throws(SQLError)
}

extension SQLConnection {
    public var dialect: SQLDialect { capabilities.dialect }

    public func begin(_ statements: [String]) throws(SQLError) {
        try executeScript(statements.joined(separator: "; "))
    }

    public var lostBeforeFirstStatement: Bool { false }

    public func beginScopedReads(tenant: TenantID?) -> Bool { false }

    public func endScopedReads(commit: Bool) throws(SQLError) {}

    public func queryOne(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> SQLRow? {
        try query(sql, parameters).first
    }
}
