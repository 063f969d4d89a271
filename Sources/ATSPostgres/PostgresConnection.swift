import ATSDomain
import ATSSupport
import ATSPersistence
import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection with a per-connection prepared-statement cache. Used by one
/// thread at a time (the pool sees to it).
final class PostgresConnection: SQLConnection {
    private let handle: OpaquePointer
    private var statements: [String: String] = [:]
    /// Set when the server says a cached plan no longer fits the schema (a migration ran
    /// meanwhile): the connection is then closed instead of reused.
    private var stale = false
    let capabilities: any SQLCapabilities
    private(set) var roundTrips = 0 {
        didSet { sharedRoundTrips?.add() }
    }
    /// The database's counter over all its connections.
    var sharedRoundTrips: RoundTripCounter?
    /// BEGIN and the tenant scope, held until the transaction's first statement, which
    /// takes them along in one round trip (libpq pipeline mode).
    private var heldBegin: [String] = []
    private var preparedCount = 0
    private(set) var lostBeforeFirstStatement = false
    /// Set during scoped reads (`beginScopedReads`): the statement that scopes each
    /// statement's implicit transaction, and the tenant, should a script need a real one.
    private var readScope: (statement: String, tenant: TenantID?)?
    /// A script ran during scoped reads, so they continue inside a transaction.
    private var scopedReadsInTransaction = false
    private let distributed: Bool

    /// `url` is a libpq URI or conninfo string; `options` are server settings for the session.
    init(url: String, statementTimeoutMilliseconds: Int, applicationName: String = "ats") throws(SQLError) {
        // Parse first: libpq's parse errors quote the offending text, which may be the
        // password; connection errors after a clean parse do not.
        var parseError: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &parseError) else {
            PQfreemem(parseError)
            throw .connectionLost("DATABASE_URL is malformed (value not shown)")
        }
        PQconninfoFree(options)
        let keywords = ["dbname", "options", "application_name", "connect_timeout", "keepalives", "keepalives_idle", "client_encoding"]
        let values = [url, "-c statement_timeout=\(statementTimeoutMilliseconds) -c TimeZone=UTC -c DateStyle=ISO,YMD -c lock_timeout=\(statementTimeoutMilliseconds)",
                      applicationName, "5", "1", "30", "UTF8"]
        let connection = PostgresConnection.withCStrings(keywords) { k in
            PostgresConnection.withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let connection else { throw .connectionLost("out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = PostgresConnection.firstLine(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw .connectionLost(message)
        }
        clibpq_silence_notices(connection)
        handle = connection
        // Once per connection, outside the per-request round-trip counts: whether the
        // tables are distributed (Citus), which a few writers must know.
        var postgres = PostgresCapabilities()
        if let result = PQexec(connection, "SELECT 1 FROM pg_extension WHERE extname = 'citus'") {
            postgres.distributed = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0
            PQclear(result)
        }
        capabilities = postgres
        distributed = postgres.distributed
    }

    deinit { PQfinish(handle) }

    /// Connected and not inside a transaction: safe to hand to the next caller.
    var isReusable: Bool { !stale && PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE }

    var transactionAborted: Bool { PQtransactionStatus(handle) == PQTRANS_INERROR }

    func query(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [SQLRow] {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        var builder = SQLResultBuilder(rows: Int(rowCount), columns: Int(columnCount))
        for r in 0..<rowCount {
            builder.beginRow()
            for c in 0..<columnCount {
                if PQgetisnull(result, r, c) == 1 {
                    builder.appendNull()
                } else if let value = PQgetvalue(result, r, c) {
                    builder.append(UnsafeRawBufferPointer(start: value, count: Int(PQgetlength(result, r, c))))
                } else {
                    builder.appendNull()
                }
            }
        }
        return builder.rows()
    }

    func queryBytes(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> [UInt8]? {
        let result = try run(sql, parameters, binaryResult: true)
        defer { PQclear(result) }
        guard PQntuples(result) > 0, PQnfields(result) > 0, PQgetisnull(result, 0, 0) == 0, let value = PQgetvalue(result, 0, 0) else { return nil }
        let length = Int(PQgetlength(result, 0, 0))
        return value.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(SQLError) -> Int {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func begin(_ statements: [String]) throws(SQLError) {
        lostBeforeFirstStatement = false
        heldBegin = statements
    }

    /// Each statement goes in one pipeline with `SELECT set_config(…, true)` for the tenant
    /// and read-only mode, then Sync: without BEGIN, everything up to the Sync is one
    /// implicit transaction, so the settings bind that statement (row-level security
    /// reads `app.tenant_id`) and end with it. Not on Citus, whose workers do not see a
    /// setting made by a function call (`SET LOCAL` in a transaction reaches them).
    func beginScopedReads(tenant: TenantID?) -> Bool {
        guard !distributed else { return false }
        lostBeforeFirstStatement = false
        // Prepared once per connection (the tenant a parameter), like any statement.
        let statement = tenant == nil ? "SELECT set_config('transaction_read_only', 'on', true)"
            : "SELECT set_config('transaction_read_only', 'on', true), set_config('app.tenant_id', $1, true)"
        readScope = (statement, tenant)
        scopedReadsInTransaction = false
        return true
    }

    func endScopedReads(commit: Bool) throws(SQLError) {
        defer {
            readScope = nil
            scopedReadsInTransaction = false
        }
        if scopedReadsInTransaction { try executeScript(commit ? "COMMIT" : "ROLLBACK") }
    }

    func executeScript(_ sql: String) throws(SQLError) {
        if let scope = readScope, !scopedReadsInTransaction {
            // A savepoint (or any script) needs a transaction block: go on in one.
            scopedReadsInTransaction = true
            heldBegin = [capabilities.begin(readOnly: true)] + (scope.tenant.flatMap { capabilities.scopeToTenant($0) }.map { [$0] } ?? [])
        }
        if !heldBegin.isEmpty {
            let begin = heldBegin
            heldBegin = []
            // A transaction in which nothing ran has nothing to commit or roll back.
            if sql == "COMMIT" || sql == "ROLLBACK" { return }
            do {
                try executeScriptNow((begin + [sql]).joined(separator: "; "))
            } catch {
                if case .connectionLost = error { lostBeforeFirstStatement = true }
                throw error
            }
            return
        }
        try executeScriptNow(sql)
    }

    private func executeScriptNow(_ sql: String) throws(SQLError) {
        roundTrips += 1
        guard let result = PQexec(handle, sql) else { throw lostOrOther(nil) }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else { throw classify(result) }
    }

    /// Quotes an identifier (a role name from configuration) for the rare SQL that cannot
    /// bind it as a parameter (GRANT).
    func quoteIdentifier(_ name: String) throws(SQLError) -> String {
        guard let quoted = PQescapeIdentifier(handle, name, name.utf8.count) else { throw lostOrOther(nil) }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    // MARK: Internals

    private static func texts(_ parameters: [SQLValue]) throws(SQLError) -> [String?] {
        // A C string ends at NUL: a value with one would be cut short, not stored.
        for case .text(let text) in parameters where text.utf8.contains(0) { throw .checkViolation("a text value contains a NUL character") }
        return parameters.map { value in
            switch value {
            case .null: return nil
            case .int(let n): return String(n)
            case .text(let text): return text
            case .bool(let b): return b ? "true" : "false"
            case .timestamp(let stamp): return stamp.sqlText
            case .blob: return ""  // a placeholder: `withParameters` points at the bytes
            }
        }
    }

    /// Calls `body` with libpq's parameter arrays: values (C strings, or for a blob its
    /// bytes, uncopied), and lengths and formats when a blob is among them (binary format
    /// for blobs: bytea goes as it is, not as hex text of twice the size).
    private static func withParameters<R>(_ parameters: [SQLValue],
                                          _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R) throws(SQLError) -> R {
        let texts = try texts(parameters)
        let blobs = parameters.compactMap { value -> ArraySlice<UInt8>? in if case .blob(let bytes) = value { return bytes } else { return nil } }
        if blobs.isEmpty { return withOptionalCStrings(texts) { body($0, nil, nil) } }
        let lengths = parameters.map { value -> Int32 in if case .blob(let bytes) = value { return Int32(clamping: bytes.count) } else { return 0 } }
        let formats = parameters.map { value -> Int32 in if case .blob = value { return 1 } else { return 0 } }
        return withOptionalCStrings(texts) { values in
            withBlobPointers(blobs[...], []) { pointers in
                let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: parameters.count + 1)
                defer { array.deallocate() }
                var nextBlob = 0
                for (i, value) in parameters.enumerated() {
                    array[i] = values[i]
                    if case .blob = value {
                        // An empty blob keeps the placeholder "" (a NULL pointer would be SQL NULL).
                        if let pointer = pointers[nextBlob] { array[i] = pointer }
                        nextBlob += 1
                    }
                }
                array[parameters.count] = nil
                return lengths.withUnsafeBufferPointer { l in formats.withUnsafeBufferPointer { f in body(array, l.baseAddress, f.baseAddress) } }
            }
        }
    }

    /// Pins each blob's storage while `body` runs.
    private static func withBlobPointers<R>(_ blobs: ArraySlice<ArraySlice<UInt8>>, _ pinned: [UnsafePointer<CChar>?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        guard let first = blobs.first else { return body(pinned) }
        return first.withUnsafeBytes { raw in
            withBlobPointers(blobs.dropFirst(), pinned + [raw.baseAddress?.assumingMemoryBound(to: CChar.self)], body)
        }
    }

    private func run(_ sql: String, _ parameters: [SQLValue], binaryResult: Bool = false) throws(SQLError) -> OpaquePointer {
        if let scope = readScope, !scopedReadsInTransaction {
            return try runPipelined([scope.statement], scope: scope.tenant.map { [.text(String($0.rawValue))] } ?? [], sql, parameters, binaryResult: binaryResult)
        }
        if !heldBegin.isEmpty {
            let begin = heldBegin
            heldBegin = []
            return try runPipelined(begin, sql, parameters, binaryResult: binaryResult)
        }
        let name = try prepared(sql, parameterCount: parameters.count)
        roundTrips += 1
        let result = try PostgresConnection.withParameters(parameters) { values, lengths, formats in
            PQexecPrepared(handle, name, Int32(parameters.count), values, lengths, formats, binaryResult ? 1 : 0)
        }
        guard let result else { throw lostOrOther(nil) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            defer { PQclear(result) }
            throw classify(result)
        }
        return result
    }

    /// The held BEGIN and tenant scope (or a scoped read's prepared scope statement), the
    /// statement's PREPARE when this connection has not seen it, and the statement itself,
    /// in one round trip (libpq pipeline mode): a transaction's first statement costs no
    /// extra round trip for its BEGIN, and a scoped read is one round trip in all.
    private func runPipelined(_ begin: [String], scope: [SQLValue]? = nil, _ sql: String, _ parameters: [SQLValue],
                              binaryResult: Bool) throws(SQLError) -> OpaquePointer {
        _ = try PostgresConnection.texts(parameters)  // refuses a NUL before anything is sent
        guard PQenterPipelineMode(handle) == 1 else { throw lostOrOther(nil) }
        var results: [OpaquePointer] = []
        defer {
            results.forEach { PQclear($0) }
            PQexitPipelineMode(handle)
        }
        // Prepared statements in this pipeline: (text, name, whether it is new here).
        var prepared: [(sql: String, name: String, new: Bool)] = []
        var sent = true
        // Per command sent, in order: the statement name when it is a PREPARE.
        var commands: [String?] = []
        func sendPrepared(_ text: String, _ values: [SQLValue], binary: Bool) {
            let known = statements[text]
            let name = known ?? nextStatementName()
            prepared.append((text, name, known == nil))
            if known == nil {
                sent = sent && PQsendPrepare(handle, name, text, Int32(values.count), nil) == 1
                commands.append(name)
            }
            sent = sent && ((try? PostgresConnection.withParameters(values) { v, lengths, formats in
                PQsendQueryPrepared(handle, name, Int32(values.count), v, lengths, formats, binary ? 1 : 0)
            }) ?? 0) == 1
            commands.append(nil)
        }
        for statement in begin {
            if let scope {
                sendPrepared(statement, scope, binary: false)
            } else {
                sent = sent && PQsendQueryParams(handle, statement, 0, nil, nil, nil, nil, 0) == 1
                commands.append(nil)
            }
        }
        sendPrepared(sql, parameters, binary: binaryResult)
        sent = sent && PQpipelineSync(handle) == 1
        roundTrips += 1
        guard sent else {
            lostBeforeFirstStatement = PQstatus(handle) != CONNECTION_OK
            throw lostOrOther(nil)
        }
        // One result per command (each followed by a NULL), then the sync.
        var firstError: SQLError?
        var succeededPrepares: Set<String> = []
        for command in commands {
            guard let result = PQgetResult(handle) else {
                // Nothing of the transaction can have committed: a retry is safe.
                lostBeforeFirstStatement = PQstatus(handle) != CONNECTION_OK
                throw firstError ?? lostOrOther(nil)
            }
            results.append(result)
            while let extra = PQgetResult(handle) { PQclear(extra) }
            let status = PQresultStatus(result)
            if let name = command, status == PGRES_COMMAND_OK { succeededPrepares.insert(name) }
            if firstError == nil && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK {
                firstError = status == PGRES_PIPELINE_ABORTED ? .other(code: "PG", message: "pipeline aborted") : classify(result)
                if case .connectionLost = firstError { lostBeforeFirstStatement = true }
            }
        }
        // The sync marks the end of the pipeline.
        while let tail = PQgetResult(handle) {
            let status = PQresultStatus(tail)
            PQclear(tail)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        // The server keeps a statement it prepared even when what followed failed.
        for entry in prepared where entry.new && succeededPrepares.contains(entry.name) { statements[entry.sql] = entry.name }
        if let firstError { throw firstError }
        // Hand the statement's own result to the caller (the others are cleared).
        return results.removeLast()
    }

    /// Names are never reused on a connection (the server may hold a statement whose
    /// name a failed exchange did not record).
    private func nextStatementName() -> String {
        preparedCount += 1
        return "ats_\(preparedCount)"
    }

    private func prepared(_ sql: String, parameterCount: Int) throws(SQLError) -> String {
        if let name = statements[sql] { return name }
        let name = nextStatementName()
        roundTrips += 1  // once per statement text and connection
        guard let result = PQprepare(handle, name, sql, Int32(parameterCount), nil) else { throw lostOrOther(nil) }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else { throw classify(result) }
        statements[sql] = name
        return name
    }

    private func classify(_ result: OpaquePointer) -> SQLError {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? ""
        let constraint = PQresultErrorField(result, Int32(UInt8(ascii: "n"))).map { String(cString: $0) } ?? ""
        // The primary message only: DETAIL lines can quote the offending values.
        let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) } ?? "unknown error"
        switch state {
        case "23505": return .uniqueViolation(constraint)
        case "23503": return .foreignKeyViolation(constraint)
        case "23514", "23502": return .checkViolation(constraint.isEmpty ? message : constraint)
        case "57014", "55P03": return .timeout
        case _ where state.hasPrefix("22"):
            // Data exceptions quote the offending value ("invalid input syntax for type
            // bigint: \"…\""): keep only the code, so logs never carry a bound value.
            return .other(code: state, message: "data exception")
        case "0A000", "26000":
            // "cached plan must not change result type" / unknown prepared statement.
            statements.removeAll()
            stale = true
            return .other(code: state, message: message)
        case _ where state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03":
            return .connectionLost(message)
        default:
            if PQstatus(handle) != CONNECTION_OK { return .connectionLost(message) }
            return .other(code: state.isEmpty ? "PG" : state, message: message)
        }
    }

    private func lostOrOther(_ result: OpaquePointer?) -> SQLError {
        let message = PostgresConnection.firstLine(String(cString: PQerrorMessage(handle)))
        return PQstatus(handle) == CONNECTION_OK ? .other(code: "PG", message: message) : .connectionLost(message)
    }

    private static func firstLine(_ text: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        return line.isEmpty ? "connection failed" : line
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        withOptionalCStrings(strings.map { Optional($0) }, body)
    }

    /// Passes `strings` as a NULL-terminated array of C strings (nil entries stay NULL;
    /// libpq's keyword/value arrays end with a NULL entry).
    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: strings.count + 1)
        var copies: [UnsafeMutablePointer<CChar>] = []
        for (i, string) in strings.enumerated() {
            if let string, let copy = strdup(string) {
                copies.append(copy)
                array[i] = UnsafePointer(copy)
            } else {
                array[i] = nil
            }
        }
        array[strings.count] = nil
        defer {
            copies.forEach { free($0) }
            array.deallocate()
        }
        return body(array)
    }
}
