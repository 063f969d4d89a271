import ATSAPI
import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Testing

@Suite("The candidates list counts up to a bound (both adapters)", .timeLimit(.minutes(3)))
struct CandidateCountBoundTests {
    @Test("past 10,000 matches X-Total-Count is a lower bound, said so, and paging goes on", arguments: Backend.allCases)
    func boundedCount(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@bound.io", role: .admin)
        let db = env.database.database
        let tenant = try #require(try db.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        let bound = SQLCandidateRepository.countLimit
        try db.transaction(tenant: tenant.id) { work in
            for n in 0...bound {
                _ = try work.users.create(tenant.id, NewUser(email: "p\(n)@bound.io", passwordHash: "", fullName: "P \(n)", role: .candidate,
                                                             profile: User.Profile(tags: n.isMultiple(of: 2) ? ["even"] : ["odd"])))
            }
        }
        let all = try env.call("GET", "/api/candidates?limit=5", token: admin)
        #expect(all.status == 200 && all.items.count == 5)
        #expect(all.header("X-Total-Count") == String(bound) && all.header("X-Total-Count-Exact") == "false")
        #expect(all.header("Link")?.contains("rel=\"next\"") == true)
        // Deep pages past the bound still link onwards while they are full.
        let deep = try env.call("GET", "/api/candidates?limit=5&offset=\(bound - 2)", token: admin)
        #expect(deep.items.count == 3 && deep.header("Link")?.contains("rel=\"next\"") == false)
        // A filter under the bound counts exactly.
        let even = try env.call("GET", "/api/candidates?tag=even&limit=1", token: admin)
        #expect(even.header("X-Total-Count") == String(bound / 2 + 1) && even.header("X-Total-Count-Exact") == nil, "\(even.status) \(even.header("X-Total-Count") ?? "-") \(even.text.prefix(300))")
        // A search of a pool past the walk reads the newest candidates in order: a term
        // they fill the page with is counted as far as the page (a lower bound)...
        let walk = SQLCandidateRepository.searchWalkLimit
        #expect(walk < bound)
        let common = try env.call("GET", "/api/candidates?q=even&limit=20&offset=20", token: admin)
        let tagged = try env.call("GET", "/api/candidates?tag=even&limit=20&offset=20", token: admin)
        #expect(common.status == 200 && common.items.count == 20 && common.items.map { $0["id"]?.int } == tagged.items.map { $0["id"]?.int })
        #expect(common.header("X-Total-Count") == "40" && common.header("X-Total-Count-Exact") == "false")
        #expect(common.header("Link")?.contains("rel=\"next\"") == true && common.header("Link")?.contains("rel=\"prev\"") == true)
        // ...a page past what the newest hold, or a rare term, goes to the index: exact below the bound.
        let deepSearch = try env.call("GET", "/api/candidates?q=even&limit=5&offset=\(walk)", token: admin)
        let deepTagged = try env.call("GET", "/api/candidates?tag=even&limit=5&offset=\(walk)", token: admin)
        #expect(deepSearch.items.count == 5 && deepSearch.items.map { $0["id"]?.int } == deepTagged.items.map { $0["id"]?.int })
        #expect(deepSearch.header("X-Total-Count") == String(bound / 2 + 1) && deepSearch.header("X-Total-Count-Exact") == nil)
        let rare = try env.call("GET", "/api/candidates?q=P77@BOUND", token: admin)
        #expect(rare.items.map { $0["email"]?.string } == ["p77@bound.io"] && rare.header("X-Total-Count") == "1" && rare.header("X-Total-Count-Exact") == nil)
        let none = try env.call("GET", "/api/candidates?tag=even&tag=odd", token: admin)
        #expect(none.header("X-Total-Count") == "0" && none.items.isEmpty, "\(none.status) \(none.header("X-Total-Count") ?? "-") \(none.text.prefix(300))")
    }
}
