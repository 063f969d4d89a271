@testable import ATSAPI
import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Synchronization
import Testing

@Suite("Idempotency keys: replay, a different request 422, in flight 409, parallel repeats, excluded routes, expiry")
struct IdempotencyTests {
    static let job = #"{"title":"T","company":"C"}"#

    func jobCount(_ env: APITestEnvironment, _ token: String) throws -> Int {
        Int(try env.call("GET", "/api/jobs?limit=100", token: token).header("X-Total-Count") ?? "") ?? -1
    }

    @Test("a repeat gets the first response again (status, body, Location) and does nothing else", arguments: Backend.allCases)
    func replay(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let key = [("Idempotency-Key", "create-job-1")]
        let first = try env.call("POST", "/api/jobs", body: Self.job, token: recruiter, headers: key)
        #expect(first.status == 201 && first.header("Idempotent-Replayed") == nil, "\(first.text)")
        let again = try env.call("POST", "/api/jobs", body: Self.job, token: recruiter, headers: key)
        #expect(again.status == 201 && again.header("Idempotent-Replayed") == "true")
        #expect(again.text == first.text && again.header("Location") == first.header("Location") && again.header("Content-Type") == "application/json")
        #expect(try jobCount(env, recruiter) == 1)
        // The same key with another body or path is refused, and changes nothing.
        let other = try env.call("POST", "/api/jobs", body: #"{"title":"Other","company":"C"}"#, token: recruiter, headers: key)
        #expect(other.status == 422 && other.header("Content-Type") == "application/problem+json" && other.text.contains("Idempotency-Key"), "\(other.text)")
        let otherPath = try env.call("POST", "/api/rejection-reasons", body: #"{"name":"X","kind":"we_rejected"}"#, token: recruiter, headers: key)
        #expect(otherPath.status == 422, "\(otherPath.text)")
        #expect(try jobCount(env, recruiter) == 1)
        // Keys belong to their caller: another recruiter's same key is a new request.
        let (_, second) = try env.signedIn("rec2@x.io", role: .recruiter)
        #expect(try env.call("POST", "/api/jobs", body: Self.job, token: second, headers: key).header("Idempotent-Replayed") == nil)
        #expect(try jobCount(env, recruiter) == 2)
        // A 4xx is kept too; without a key nothing is kept.
        let invalid = try env.call("POST", "/api/jobs", body: #"{"title":""}"#, token: recruiter, headers: [("Idempotency-Key", "bad-1")])
        let invalidAgain = try env.call("POST", "/api/jobs", body: #"{"title":""}"#, token: recruiter, headers: [("Idempotency-Key", "bad-1")])
        #expect(invalid.status == 422 && invalidAgain.status == 422 && invalidAgain.header("Idempotent-Replayed") == "true")
        #expect(try env.call("POST", "/api/jobs", body: Self.job, token: recruiter).header("Idempotent-Replayed") == nil)
    }

    @Test("a malformed key is 400; GET ignores the header", arguments: Backend.allCases)
    func malformed(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        for bad in [String(repeating: "k", count: 256), "with space", "tab\there", "é"] {
            let response = try env.call("POST", "/api/jobs", body: Self.job, token: recruiter, headers: [("Idempotency-Key", bad)])
            #expect(response.status == 400 && response.header("Content-Type") == "application/problem+json", "\(bad): \(response.text)")
        }
        #expect(try env.call("POST", "/api/jobs", body: Self.job, token: recruiter, headers: [("Idempotency-Key", String(repeating: "k", count: 255))]).status == 201)
        #expect(try env.call("GET", "/api/jobs", token: recruiter, headers: [("Idempotency-Key", "with space")]).status == 200)
    }

    @Test("routes whose answers hold tokens or secrets ignore the header and store nothing", arguments: Backend.allCases)
    func excludedRoutes(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let key = [("Idempotency-Key", "same")]
        let logins = try (0..<2).map { _ in
            try env.call("POST", "/api/auth/login", body: #"{"email":"admin@x.io","password":"password123"}"#, headers: key)
        }
        #expect(logins.allSatisfy { $0.status == 200 && $0.header("Idempotent-Replayed") == nil })
        let keys = try (0..<2).map { i in
            try env.call("POST", "/api/api-keys", body: #"{"name":"k\#(i)","role":"recruiter"}"#, token: admin, headers: key)
        }
        #expect(keys.allSatisfy { $0.status == 201 && $0.header("Idempotent-Replayed") == nil })
        #expect(keys[0]["key"] != keys[1]["key"])
        // A malformed key is ignored there too.
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"admin@x.io","password":"password123"}"#,
                             headers: [("Idempotency-Key", "not valid")]).status == 200)
        let tenant = try #require(try env.database.database.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        let stored = try env.database.database.read(tenant: tenant.id) { work in
            try work.transaction.rows("SELECT count(*) FROM idempotency_keys WHERE tenant_id = $1", [.int(tenant.id.rawValue)]) {
                (row: SQLRow) throws(SQLError) -> Int64 in try row.int(0)
            }
        }
        #expect(stored == [0])
    }

    @Test("a repeat while the first still runs is 409; a marker abandoned by a dead process is taken over", arguments: Backend.allCases)
    func inFlight(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (user, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let database = env.database.database
        let tenant = user.tenantID
        let hash = IdempotencyService.fingerprint(method: "POST", target: "/api/jobs", body: Array(Self.job.utf8))
        let now = Timestamp.now()
        let day = Timestamp(microseconds: now.microseconds + 86_400_000_000)
        let old = Timestamp(microseconds: now.microseconds - 600_000_000)
        try database.transaction(tenant: tenant) { work in
            _ = try work.idempotency.insert(tenant, caller: "u:\(user.id.rawValue)", key: "running", requestHash: hash, now: now, expiresAt: day)
            _ = try work.idempotency.insert(tenant, caller: "u:\(user.id.rawValue)", key: "abandoned", requestHash: hash, now: old, expiresAt: day)
        }
        let running = try env.call("POST", "/api/jobs", body: Self.job, token: recruiter, headers: [("Idempotency-Key", "running")])
        #expect(running.status == 409 && running.header("Content-Type") == "application/problem+json", "\(running.text)")
        let retaken = try env.call("POST", "/api/jobs", body: Self.job, token: recruiter, headers: [("Idempotency-Key", "abandoned")])
        #expect(retaken.status == 201 && retaken.header("Idempotent-Replayed") == nil, "\(retaken.text)")
        #expect(try jobCount(env, recruiter) == 1)
    }

    @Test("parallel requests with one key: exactly one creation; the others are 409 or replays of it", arguments: Backend.allCases)
    func parallelRepeats(_ backend: Backend) async throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let bodies = Mutex<[String]>([])
        let statuses = await APIEndToEndTests.parallel(12) { _ in
            guard let response = try? env.call("POST", "/api/jobs", body: Self.job, token: recruiter, headers: [("Idempotency-Key", "parallel")]) else { return 0 }
            if response.status == 201 { bodies.withLock { $0.append(response.text) } }
            return response.status
        }
        #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 }, "\(statuses)")
        let created = bodies.withLock { $0 }
        #expect(!created.isEmpty && Set(created).count == 1, "every 201 is the one creation")
        #expect(try jobCount(env, recruiter) == 1)
    }

    @Test("expired keys are removed by the maintenance sweep, and the key can then be used again", arguments: Backend.allCases)
    func expiry(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let key = [("Idempotency-Key", "expiring")]
        #expect(try env.call("POST", "/api/jobs", body: Self.job, token: recruiter, headers: key).status == 201)
        let database = env.database.database
        #expect(try IdempotencyService().purgeExpired(database, now: .now()) == 0)
        let later = Timestamp(microseconds: Timestamp.now().microseconds + (IdempotencyService.lifetimeSeconds + 60) * 1_000_000)
        let scheduler = MaintenanceScheduler(database: database, holder: "test", clock: { later })
        scheduler.runOnce()
        #expect(try IdempotencyService().purgeExpired(database, now: later) == 0, "the sweep removed it")
        let again = try env.call("POST", "/api/jobs", body: Self.job, token: recruiter, headers: key)
        #expect(again.status == 201 && again.header("Idempotent-Replayed") == nil)
        #expect(try jobCount(env, recruiter) == 2)
    }
}
