import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Testing

/// The candidate search index has no row-level security on PostgreSQL (a policy would
/// keep its trigram index from being used): it lives where the application role cannot
/// read it, behind a function that answers for the transaction's tenant only.
@Suite("Candidate search on PostgreSQL: private schema, one tenant per call")
struct CandidateSearchIsolationTests {
    private func count(_ db: any Database, tenant: TenantID, _ sql: String, _ parameters: [SQLValue]) throws -> Int64 {
        try db.read(tenant: tenant) { work in
            try work.transaction.run { () throws(SQLError) -> Int64 in try work.transaction.connection.queryOne(sql, parameters)?.int(0) ?? -1 }
        }
    }

    @Test("the app role reaches only its own tenant's matches, and never the table")
    func isolation() throws {
        let test = try TestDatabase(.postgres)
        let db = test.database
        let a = try Fixture.make(db), b = try Fixture.make(db)
        _ = try a.candidate(1)
        _ = try b.candidate(2)
        let matches = "SELECT count(*) FROM candidate_search_matches($1, '%')"
        #expect(try count(db, tenant: a.tenant, matches, [.int(a.tenant.rawValue)]) == 2, "the fixture's candidate and c1")
        #expect(try count(db, tenant: a.tenant, matches, [.int(b.tenant.rawValue)]) == 0, "another tenant's id gives nothing")
        #expect(try count(db, tenant: b.tenant, matches, [.int(b.tenant.rawValue)]) == 2)
        #expect(throws: (any Error).self) { try count(db, tenant: a.tenant, "SELECT count(*) FROM ats_private.candidate_search", []) }
    }
}
