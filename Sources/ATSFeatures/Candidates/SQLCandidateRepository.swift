import ATSDomain
import ATSPersistence
import ATSSupport

/// The talent pool in SQL. `q` and the `tag` prefilter search `candidate_search`, an
/// index of each candidate's lower-cased name, email, phone and tags that triggers on
/// `users` keep in step (migration 0008): a trigram GIN index on PostgreSQL (in a schema
/// the application role cannot read, searched through `candidate_search_matches`), an
/// FTS5 trigram table on SQLite. That one test differs by engine; the rest is portable.
public struct SQLCandidateRepository: CandidateRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    /// The most candidates a list counts (`PageResult.totalIsExact` false at it).
    public static let countLimit = 10_000

    /// How many of a tenant's newest candidates a search reads row by row before it turns
    /// to the search index (`newestMatches`).
    public static let searchWalkLimit = 2_500

    public func list(_ tenant: TenantID, filter: CandidateFilter, page: Page) throws -> PageResult<User> {
        if let q = filter.q, page.cursor == nil, !tx.capabilities.distributed,
           let found = try newestMatches(tenant, q, filter: filter, page: page) {
            return found
        }
        // `role = 'candidate'` as a literal: the partial index users_candidates_newest.
        var condition = SQLStatement(" WHERE tenant_id = $1 AND role = 'candidate'")
        _ = condition.bind(.int(tenant.rawValue))
        // Each filter names a set of user ids, computed once; `users` is then read by
        // primary key. On PostgreSQL the set is an array (`id = ANY(ARRAY(…))`, an init
        // plan): fresh rows without statistics once planned `IN (…)` as nested loops
        // that took 7.8 s for 10,000 candidates.
        var matches: String?
        if let q = filter.q {
            if tx.capabilities.distributed {
                // Citus would run the function inside the query on the shard, where its own
                // query of the search table is a nested distributed query it refuses: the
                // matches come first (one more round trip, on Citus only), as an array.
                let ids = try tx.rows("SELECT candidate_search_matches($1, lower(CAST($2 AS TEXT)))",
                                      [.int(tenant.rawValue), .text(SQLStatement.containsPattern(q))]) { (row: SQLRow) throws(SQLError) in try row.int(0) }
                let array = "{" + ids.map(String.init).joined(separator: ",") + "}"
                condition.append(" AND users.id = ANY(CAST(\(condition.bind(.text(array))) AS bigint[]))")
            } else {
                // Searched once for the page and its count (a CTE), not once for each.
                matches = "matches(user_id) AS (\(searchIDs(q, &condition)))"
                condition.append(" AND " + idIn("SELECT user_id FROM matches"))
            }
        }
        appendFilters(filter, to: &condition)
        // Counted up to 10,000 (X-Total-Count-Exact: false past it): an exact count of
        // a 100,000-candidate pool would walk it on every page.
        return try tx.page("users", columns: SQLUserRepository.userColumns, with: matches, where: condition, orderBy: SQLTransaction.newestFirst, page: page,
                           countLimit: Self.countLimit,
                           decode: SQLUserRepository.user)
    }

    /// The filters other than `q` (`tenant_id = $1` already bound).
    private func appendFilters(_ filter: CandidateFilter, to condition: inout SQLStatement) {
        if !filter.tags.isEmpty {
            // candidate_tags: one row per (candidate, tag), kept by triggers (migration 0008).
            let sets = filter.tags.map { "SELECT user_id FROM candidate_tags WHERE tenant_id = $1 AND tag = \(condition.bind(.text($0)))" }
            condition.append(" AND " + idIn(sets.joined(separator: " INTERSECT ")))
        }
        if let source = filter.source { condition.append(" AND source = \(condition.bind(.text(source)))") }
        if let job = filter.jobID {
            condition.append(" AND " + idIn("SELECT candidate_id FROM applications WHERE tenant_id = $1 AND job_id = \(condition.bind(.int(job.rawValue)))"))
        }
    }

    /// A search's page found by reading the tenant's newest candidates in the list's order
    /// and testing each one's text, or nil where the search index must answer instead.
    /// The trigram index is shared by all tenants, and the trigrams of a common term
    /// (`surname`) occur in nearly every row of it: the index search costs as much as the
    /// whole table is large, while reading rows in order stops at the page's last match
    /// (for a term one candidate in a hundred holds, about 2,000 rows).
    /// - A pool of at most `searchWalkLimit` candidates is read whole: the count is exact.
    /// - In a larger pool, the newest `searchWalkLimit` are read until the page is full;
    ///   the count is then the matches read (`offset + limit`), a lower bound
    ///   (`totalIsExact` false). A page they cannot fill goes to the index (nil).
    private func newestMatches(_ tenant: TenantID, _ q: String, filter: CandidateFilter, page: Page) throws -> PageResult<User>? {
        let walk = Self.searchWalkLimit
        // The candidate just older than the newest `walk` bounds the walk: a range of the
        // index, read in its order, so the engine stops at the page's last match (a
        // subquery with its own LIMIT would be read whole, then sorted). None: a small pool.
        let edge = try tx.rows("SELECT created_at, id FROM users WHERE tenant_id = $1 AND role = 'candidate' ORDER BY \(SQLTransaction.newestFirst) LIMIT 1 OFFSET \(walk)",
                               [.int(tenant.rawValue)]) { (row: SQLRow) throws(SQLError) in (try row.timestamp(0), try row.int(1)) }.first
        let needed = page.offset + page.limit
        var statement = SQLStatement("SELECT id FROM users WHERE tenant_id = $1 AND role = 'candidate' AND ")
        _ = statement.bind(.int(tenant.rawValue))
        if let (createdAt, id) = edge {
            let time = statement.bind(.timestamp(createdAt))
            statement.append("created_at >= \(time) AND (created_at > \(time) OR id > \(statement.bind(.int(id)))) AND ")
        }
        // The same text the search index holds (migration 0008's triggers), as a substring.
        let separator = tx.connection.dialect == .postgres ? "chr(31)" : "char(31)"
        let text = "lower(coalesce(full_name, '') || \(separator) || email || \(separator) || coalesce(phone, '') || \(separator) || tags)"
        let term = "lower(CAST(\(statement.bind(.text(q))) AS TEXT))"
        switch tx.connection.dialect {
        case .postgres: statement.append("strpos(\(text), \(term)) > 0")
        case .sqlite: statement.append("instr(\(text), \(term)) > 0")
        }
        appendFilters(filter, to: &statement)
        statement.append(" ORDER BY \(SQLTransaction.newestFirst)")
        let whole = edge == nil
        if !whole { statement.append(" LIMIT \(statement.bind(.int(Int64(needed))))") }
        let ids = try tx.rows(statement.sql, statement.parameters) { (row: SQLRow) throws(SQLError) in try row.int(0) }
        if !whole && ids.count < needed { return nil }
        let shown = ids.count > page.offset ? Array(ids[page.offset..<min(needed, ids.count)]) : []
        var users: [User] = []
        if !shown.isEmpty {
            var fetch = SQLStatement("SELECT \(SQLUserRepository.userColumns) FROM users WHERE tenant_id = $1 AND id IN (")
            _ = fetch.bind(.int(tenant.rawValue))
            fetch.append(shown.map { fetch.bind(.int($0)) }.joined(separator: ", "))
            fetch.append(") ORDER BY \(SQLTransaction.newestFirst)")
            users = try tx.rows(fetch.sql, fetch.parameters, decode: SQLUserRepository.user)
        }
        return PageResult(items: users, total: ids.count, totalIsExact: whole)
    }

    /// `users.id` is one of the ids `subquery` selects.
    private func idIn(_ subquery: String) -> String {
        tx.connection.dialect == .postgres ? "users.id = ANY(ARRAY(\(subquery)))" : "users.id IN (\(subquery))"
    }

    /// The ids of the candidates whose search text contains `text`, ignoring case.
    private func searchIDs(_ text: String, _ statement: inout SQLStatement) -> String {
        switch tx.connection.dialect {
        case .postgres:
            // pg_trgm serves LIKE, escapes included, behind a function: row-level
            // security would keep the index from being used (migration 0008).
            return "SELECT candidate_search_matches($1, lower(CAST(\(statement.bind(.text(SQLStatement.containsPattern(text)))) AS TEXT)))"
        case .sqlite:
            // FTS5 uses its trigram index for a phrase MATCH (not for LIKE … ESCAPE): the
            // phrase finds the rows holding every trigram in order, instr() confirms the
            // exact substring. Under three characters there is no trigram: instr() alone.
            let exact = "instr(search_text, lower(CAST(\(statement.bind(.text(text))) AS TEXT))) > 0"
            var test = exact
            if text.unicodeScalars.count >= 3 {
                var phrase = "\""
                for character in text { phrase += character == "\"" ? "\"\"" : String(character) }
                phrase += "\""
                test = "candidate_search MATCH \(statement.bind(.text(phrase))) AND " + exact
            }
            return "SELECT user_id FROM candidate_search WHERE tenant_id = $1 AND \(test)"
        }
    }

    public func lock(_ tenant: TenantID, ids: [UserID]) throws -> [User] {
        var statement = SQLStatement("SELECT \(SQLUserRepository.userColumns) FROM users WHERE tenant_id = $1 AND id IN (")
        _ = statement.bind(.int(tenant.rawValue))
        statement.append(ids.map { statement.bind(.int($0.rawValue)) }.joined(separator: ", "))
        // In id order, so two merges of the same pair lock in the same order (no deadlock).
        statement.append(") ORDER BY id" + tx.capabilities.lockRowsClause)
        return try tx.rows(statement.sql, statement.parameters, decode: SQLUserRepository.user)
    }

    public func sharedJobs(_ tenant: TenantID, _ a: UserID, _ b: UserID) throws -> [JobID] {
        try tx.rows("""
            SELECT job_id FROM applications WHERE tenant_id = $1 AND candidate_id = $2
            AND job_id IN (SELECT job_id FROM applications WHERE tenant_id = $1 AND candidate_id = $3) ORDER BY job_id
            """, [.int(tenant.rawValue), .int(a.rawValue), .int(b.rawValue)]) { (row: SQLRow) throws(SQLError) -> JobID in JobID(try row.int(0)) }
    }

    public func moveApplications(_ tenant: TenantID, from: UserID, to: UserID) throws -> Int {
        try tx.run(unique: .alreadyApplied) { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                UPDATE applications SET candidate_id = $3, version = version + 1, updated_at = $4 WHERE tenant_id = $1 AND candidate_id = $2
                """, [.int(tenant.rawValue), .int(from.rawValue), .int(to.rawValue), .timestamp(tx.now())])
        }
    }
}
