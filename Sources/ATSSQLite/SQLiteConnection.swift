import ATSPersistence
import CSQLite3
#if canImport(Glibc)
import Glibc
#endif

/// One sqlite3 handle with a prepared-statement cache. Not thread-safe by itself: the
/// database hands it to one thread at a time.
final class SQLiteConnection: SQLConnection {
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    let capabilities: any SQLCapabilities = SQLiteCapabilities()
    private(set) var roundTrips = 0

    let transactionAborted = false  // SQLite keeps a transaction usable after a failed statement

    init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5000) throws(SQLError) {
        var db: OpaquePointer?
        // A new database file is the owner's alone (SQLite would make it 0644 less the
        // umask); its -wal and -shm files take the same mode from it.
        if !readOnly && path != ":memory:" && !path.hasPrefix("file:") {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
        }
        // NOMUTEX: each connection is confined to one thread at a time by the pool.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw .connectionLost("cannot open SQLite database \(path): \(message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        // WAL: readers never block the writer nor each other; NORMAL sync is durable in
        // WAL mode except for the last transactions on power loss, the usual trade-off.
        try executeScript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        // Readers refuse writes, as PostgreSQL's READ ONLY transactions do (and a write
        // here would bypass the single-writer lock).
        if readOnly { try executeScript("PRAGMA query_only = ON") }
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [SQLRow] {
        var result = SQLResultBuilder()
        try run(sql, parameters) { statement in
            let columns = sqlite3_column_count(statement)
            result.beginRow()
            for i in 0..<columns {
                switch sqlite3_column_type(statement, i) {
                case SQLITE_NULL: result.appendNull()
                case SQLITE_INTEGER: result.append(sqlite3_column_int64(statement, i))
                default:
                    // text() before bytes(): the length of the text form (SQLite docs).
                    if let text = sqlite3_column_text(statement, i) {
                        result.append(UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, i))))
                    } else {
                        result.appendNull()
                    }
                }
            }
        }
        return result.rows()
    }

    func queryBytes(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [UInt8]? {
        var bytes: [UInt8]?
        try run(sql, parameters) { statement in
            guard bytes == nil, sqlite3_column_count(statement) > 0, sqlite3_column_type(statement, 0) != SQLITE_NULL else { return }
            let count = Int(sqlite3_column_bytes(statement, 0))
            if let blob = sqlite3_column_blob(statement, 0) {
                bytes = Array(UnsafeRawBufferPointer(start: blob, count: count))
            } else {
                bytes = []
            }
        }
        return bytes
    }

    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> Int {
        try run(sql, parameters) { _ in }
        return Int(sqlite3_changes(handle))
    }

    func executeScript(_ sql: String) throws(SQLError) {
        roundTrips += 1
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        let text = message.map { String(cString: $0) } ?? ""
        sqlite3_free(message)
        if rc != SQLITE_OK { throw classify(rc, text) }
    }

    // MARK: Statements

    private func run(_ sql: String, _ parameters: [SQLValue], row: (OpaquePointer) throws(SQLError) -> Void) throws(SQLError) {
        roundTrips += 1
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, value) in parameters.enumerated() {
            let position = Int32(index + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(statement, position)
            case .int(let n): rc = sqlite3_bind_int64(statement, position, n)
            case .bool(let b): rc = sqlite3_bind_int64(statement, position, b ? 1 : 0)
            case .text(let text):
                if text.utf8.contains(0) { throw .checkViolation("a text value contains a NUL character") }
                rc = bindText(statement, position, text)
            case .timestamp(let stamp): rc = bindText(statement, position, stamp.sqlText)
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes { raw in csqlite3_bind_blob_copy(statement, position, raw.baseAddress, Int32(clamping: raw.count)) }
            }
            if rc != SQLITE_OK { throw classify(rc, String(cString: sqlite3_errmsg(handle))) }
        }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_ROW {
                try row(statement)
            } else if rc == SQLITE_DONE {
                return
            } else {
                throw classify(rc, String(cString: sqlite3_errmsg(handle)))
            }
        }
    }

    private func bindText(_ statement: OpaquePointer, _ position: Int32, _ text: String) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                // An empty buffer may have no base address.
                guard let base = chars.baseAddress, !chars.isEmpty else { return csqlite3_bind_text_copy(statement, position, "", 0) }
                return csqlite3_bind_text_copy(statement, position, base, Int32(chars.count))
            }
        }
    }

    private func prepared(_ sql: String) throws(SQLError) -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, SQLiteConnection.numberedPlaceholders(sql), -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw classify(rc, String(cString: sqlite3_errmsg(handle))) }
        // The SQL set is bounded (constant fragments), but cap the cache all the same.
        if statements.count >= 256 {
            for old in statements.values { sqlite3_finalize(old) }
            statements.removeAll()
        }
        statements[sql] = statement
        return statement
    }

    /// `$1` → `?1`: both dialects' repositories are written with PostgreSQL placeholders.
    static func numberedPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count)
        var inLiteral = false
        for c in sql {
            if c == "'" { inLiteral.toggle() }
            out.append(c == "$" && !inLiteral ? "?" : c)
        }
        return out
    }

    // Extended result codes are C macros built with shifts; Swift does not import them.
    private static let constraintUnique: Int32 = 2067, constraintPrimaryKey: Int32 = 1555, constraintForeignKey: Int32 = 787,
                       constraintCheck: Int32 = 275, constraintNotNull: Int32 = 1299

    private func classify(_ rc: Int32, _ message: String) -> SQLError {
        switch rc {
        case Self.constraintUnique, Self.constraintPrimaryKey: return .uniqueViolation(message)
        case Self.constraintForeignKey: return .foreignKeyViolation(message)
        case Self.constraintCheck, Self.constraintNotNull: return .checkViolation(message)
        default:
            switch rc & 0xFF {
            case SQLITE_BUSY, SQLITE_LOCKED: return .busy
            case SQLITE_CONSTRAINT: return .checkViolation(message)
            case SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_FULL, SQLITE_READONLY: return .connectionLost(message)
            default: return .other(code: "SQLITE_\(rc)", message: message)
            }
        }
    }
}
