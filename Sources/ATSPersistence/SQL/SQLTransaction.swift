import ATSDomain
import ATSSupport

/// One unit of work on one connection: what repositories run their statements in. It
/// knows the clock for the rows it stamps and how to nest a savepoint; BEGIN and COMMIT
/// belong to `SQLDatabase`.
public final class SQLTransaction {
    public let connection: any SQLConnection
    private let clock: @Sendable () -> Timestamp
    private var savepointDepth = 0

    public init(connection: any SQLConnection, clock: @escaping @Sendable () -> Timestamp = Timestamp.now) {
        self.connection = connection
        self.clock = clock
    }

    public var capabilities: any SQLCapabilities { connection.capabilities }
    public func now() -> Timestamp { clock() }

    /// Scopes the rest of this transaction to `tenant` (row-level security), for work that
    /// creates a tenant and its first rows together.
    public func scope(to tenant: TenantID) throws {
        guard let statement = capabilities.scopeToTenant(tenant) else { return }
        try run { () throws(SQLError) in try connection.executeScript(statement) }
    }

    /// Runs `body` inside a savepoint: when it throws, only its own statements are
    /// undone and the transaction goes on (also on PostgreSQL, where an error would
    /// otherwise doom the whole transaction).
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        savepointDepth += 1
        let name = "ats_sp\(savepointDepth)"
        defer { savepointDepth -= 1 }
        try run { () throws(SQLError) in try connection.executeScript("SAVEPOINT \(name)") }
        do {
            let result = try body()
            try run { () throws(SQLError) in try connection.executeScript("RELEASE SAVEPOINT \(name)") }
            return result
        } catch {
            try? connection.executeScript("ROLLBACK TO SAVEPOINT \(name)")
            try? connection.executeScript("RELEASE SAVEPOINT \(name)")
            throw error
        }
    }

    /// Runs `body`, turning engine errors into `StorageError` (`unique` and `foreignKey`
    /// name what those violations mean for this statement).
    @inlinable
    public func run<T>(unique: StorageError? = nil, foreignKey: StorageError? = nil, _ body: () throws(SQLError) -> T) throws(StorageError) -> T {
        do {
            return try body()
        } catch {
            switch error {
            case .uniqueViolation where unique != nil: throw unique ?? error.storageError
            case .foreignKeyViolation where foreignKey != nil: throw foreignKey ?? error.storageError
            default: throw error.storageError
            }
        }
    }

    /// The order of the lists that page by keyset (`Page.cursor`).
    public static let newestFirst = "created_at DESC, id DESC"

    /// `SELECT columns FROM table <condition> ORDER BY <order>`, one page of it, and the
    /// total that matches `condition`.
    /// `countLimit`: count at most that many matching rows (`PageResult.totalIsExact`
    /// false when reached), for lists whose exact count would walk a large tenant.
    /// `page.cursor` (keyset mode) needs `order` to be `newestFirst`; the total still
    /// counts the whole list, not what is left after the cursor.
    /// `with`: a common table expression (`name(columns) AS (…)`, its placeholders bound in
    /// `condition`) that `condition` reads: computed once for the page and its count
    /// where the condition would otherwise run the same subquery twice.
    public func page<T>(_ table: String, columns: String, with common: String? = nil, where condition: SQLStatement, orderBy order: String,
                        page: Page, countLimit: Int? = nil, decode: (SQLRow) throws(SQLError) -> T) throws(StorageError) -> PageResult<T> {
        if page.cursor != nil && order != Self.newestFirst { throw StorageError.internalError("keyset paging needs the newest-first order") }
        // The total rides along as an uncorrelated scalar subquery over the same bound
        // parameters: both engines compute it once, and it saves a round trip. (A
        // window `count(*) OVER ()` measured far slower: it makes both engines
        // materialize and sort every matching row instead of walking the index.)
        let counted = countLimit.map { "(SELECT count(*) FROM (SELECT 1 FROM \(table)\(condition.sql) LIMIT \($0)) AS bounded)" }
            ?? "(SELECT count(*) FROM \(table)\(condition.sql))"
        // Keyset mode also selects each row's position, for the next cursor.
        let position = page.cursor == nil ? "" : ", \(table).created_at, \(table).id"
        let prefix = common.map { "WITH \($0) " } ?? ""
        var select = SQLStatement(prefix + "SELECT \(columns)\(position), \(counted) FROM \(table)" + condition.sql)
        condition.parameters.forEach { _ = select.bind($0) }
        if case .after(let createdAt, let id) = page.cursor {
            // `created_at <=` bounds the index range on both engines (PostgreSQL cannot bound
            // it from a plain OR of the two cases); the rest settles ties.
            let time = select.bind(.timestamp(createdAt))
            select.append(" AND \(table).created_at <= \(time) AND (\(table).created_at < \(time) OR \(table).id < \(select.bind(.int(id))))")
        }
        select.append(" ORDER BY " + order)
        select.append(" LIMIT \(select.bind(.int(Int64(page.limit)))) OFFSET \(select.bind(.int(Int64(page.cursor == nil ? page.offset : 0))))")
        return try run { () throws(SQLError) -> PageResult<T> in
            let rows = try connection.query(select.sql, select.parameters)
            var items: [T] = []
            items.reserveCapacity(rows.count)
            for row in rows { items.append(try decode(row)) }
            let total: Int
            if let first = rows.first {
                total = Int(try first.int(first.count - 1))
            } else {
                // A page past the end has no row to carry the total.
                var count = SQLStatement(prefix + "SELECT \(counted)")
                condition.parameters.forEach { _ = count.bind($0) }
                total = Int(try connection.queryOne(count.sql, count.parameters)?.int(0) ?? 0)
            }
            var next: PageCursor?
            if page.cursor != nil, rows.count == page.limit, let last = rows.last {
                let at = last.count - 3
                next = .after(createdAt: try last.timestamp(at), id: try last.int(at + 1))
            }
            return PageResult(items: items, total: total, totalIsExact: countLimit.map { total < $0 } ?? true, next: next)
        }
    }

    /// Inserts one row and returns its new id: from the identity column in the same
    /// round trip where the engine has one (PostgreSQL), else allocated first (SQLite's
    /// counter row; in-process, so no network round trip).
    public func insert(into table: String, _ columns: [(String, SQLValue)]) throws(SQLError) -> Int64 {
        try insertReturning(into: table, columns).int(0)
    }

    /// Like `insert`, with `computed` columns given as SQL expressions (which may use the
    /// values' placeholders, `$1` for the first of `columns`), returning `id` and then
    /// `returning`.
    public func insertReturning(into table: String, _ columns: [(String, SQLValue)], computed: [(String, String)] = [],
                                returning: [String] = []) throws(SQLError) -> SQLRow {
        var names = columns.map(\.0)
        var values = columns.map(\.1)
        if let id = try reserveIDs(table, count: 1) {
            // Last, so the computed expressions' placeholders stay as written.
            names.append("id")
            values.append(.int(id))
        }
        let placeholders = (1...values.count).map { "$\($0)" } + computed.map(\.1)
        names += computed.map(\.0)
        let sql = "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (\(placeholders.joined(separator: ", "))) RETURNING "
            + (["id"] + returning).joined(separator: ", ")
        guard let row = try connection.queryOne(sql, values) else { throw .decoding("INSERT INTO \(table) returned no id") }
        return row
    }

    /// Reserves `count` consecutive ids of `table` where the engine does not make them
    /// (SQLite), returning the first; nil where the INSERT makes them.
    public func reserveIDs(_ table: String, count: Int) throws(SQLError) -> Int64? {
        guard let query = capabilities.reserveIDsQuery else { return nil }
        guard let last = try connection.queryOne(query, [.text(table), .int(Int64(count))]) else { throw .decoding("no id sequence for \(table)") }
        return try last.int(0) - Int64(count) + 1
    }

    /// Every row of `sql`, decoded.
    @inlinable
    public func rows<T>(_ sql: String, _ parameters: [SQLValue], decode: (SQLRow) throws(SQLError) -> T) throws(StorageError) -> [T] {
        try run { () throws(SQLError) -> [T] in
            var result: [T] = []
            for row in try connection.query(sql, parameters) { result.append(try decode(row)) }
            return result
        }
    }
}
