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

    public func list(_ tenant: TenantID, filter: CandidateFilter, page: Page) throws -> PageResult<User> {
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
        if !filter.tags.isEmpty {
            // candidate_tags: one row per (candidate, tag), kept by triggers (migration 0008).
            let sets = filter.tags.map { "SELECT user_id FROM candidate_tags WHERE tenant_id = $1 AND tag = \(condition.bind(.text($0)))" }
            condition.append(" AND " + idIn(sets.joined(separator: " INTERSECT ")))
        }
        if let source = filter.source { condition.append(" AND source = \(condition.bind(.text(source)))") }
        if let job = filter.jobID {
            condition.append(" AND " + idIn("SELECT candidate_id FROM applications WHERE tenant_id = $1 AND job_id = \(condition.bind(.int(job.rawValue)))"))
        }
        // Counted up to 10,000 (X-Total-Count-Exact: false past it): an exact count of
        // a 100,000-candidate pool would walk it on every page.
        return try tx.page("users", columns: SQLUserRepository.userColumns, with: matches, where: condition, orderBy: SQLTransaction.newestFirst, page: page,
                           countLimit: Self.countLimit,
                           decode: SQLUserRepository.user)
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
