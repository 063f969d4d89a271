@testable import ATSAPI
import ATSAuth
import ATSDomain
import ATSSupport
import ATSTestSupport
import Synchronization
import Testing

@Suite("Rate limits: the limiter's bounds, and login limits per address, per email and address, and per email")
struct RateLimitTests {
    final class ManualClock: Sendable {
        let milliseconds = Atomic<Int>(0)
        func advance(seconds: Int) { milliseconds.add(seconds * 1000, ordering: .relaxed) }
        var read: @Sendable () -> Double { { Double(self.milliseconds.load(ordering: .relaxed)) / 1000 } }
    }

    @Test("buckets expire with the window, and memory stays under the cap however many keys come")
    func boundedMemory() {
        let clock = ManualClock()
        let limiter = RateLimiter(windowSeconds: 60, capacity: 1000, clock: clock.read)
        for i in 0..<100_000 { #expect(limiter.attempt("a:\(i)", limit: 5) == nil) }
        let full = limiter.footprint
        #expect(full.buckets == 1000 && full.queued <= 3000 && full.evicted == 99_000, "\(full)")
        #expect(limiter.attempt("a:99999", limit: 1) == 60, "a live key keeps its count and says how long to wait")
        clock.advance(seconds: 60)
        #expect(limiter.attempt("fresh", limit: 5) == nil)
        #expect(limiter.footprint.buckets == 1, "expired buckets are dropped as attempts arrive")
        // Successful logins reset their bucket: the stale queue entries are reclaimed too.
        for i in 0..<10_000 {
            _ = limiter.attempt("p:\(i)", limit: 5)
            limiter.reset("p:\(i)")
        }
        #expect(limiter.footprint.queued <= 3000)
    }

    @Test("an attempt costs O(1) with many live keys (the old limiter filtered the whole map past 100,000)")
    func constantWorkPerAttempt() {
        let limiter = RateLimiter(windowSeconds: 900)
        let start = MonotonicClock.seconds()
        for i in 0..<300_000 { _ = limiter.attempt("e:1:user\(i)@example.com", limit: 5) }
        let seconds = MonotonicClock.seconds() - start
        #expect(limiter.footprint.buckets == 200_000)
        #expect(seconds < 5, "300,000 attempts took \(seconds) s")
    }

    static func login(_ env: APITestEnvironment, _ email: String, password: String = "wrong-password", from client: String) throws -> Int {
        try env.call("POST", "/api/auth/login", body: #"{"email":"\#(email)","password":"\#(password)"}"#,
                     headers: [("X-Forwarded-For", client)]).status
    }

    static func behindProxy(_ configure: @escaping (inout APIConfiguration) -> Void = { _ in }) throws -> APITestEnvironment {
        try APITestEnvironment(.sqlite) {
            $0.trustedProxies = TrustedProxies("127.0.0.1") ?? TrustedProxies()
            configure(&$0)
        }
    }

    @Test("a client whose address is limited adds nothing to any account's count")
    func limitedAddressCannotLockOutAnAccount() throws {
        let env = try RateLimitTests.behindProxy { $0.loginFailuresPerAddress = 3 }
        try env.user("victim@x.io", role: .candidate)
        let attacker = "203.0.113.5"
        #expect(try (0..<3).map { try RateLimitTests.login(env, "nobody\($0)@x.io", from: attacker) } == [401, 401, 401])
        #expect(try (0..<10).map { _ in try RateLimitTests.login(env, "victim@x.io", from: attacker) } == Array(repeating: 429, count: 10))
        #expect(try RateLimitTests.login(env, "victim@x.io", password: "password123", from: "198.51.100.20") == 200)
    }

    @Test("failures from one address lock that address out of the account (429 stays), not the owner elsewhere")
    func oneAddressCannotLockOutTheOwner() throws {
        let env = try RateLimitTests.behindProxy()
        try env.user("victim@x.io", role: .candidate)
        let attacker = "203.0.113.5"
        #expect(try (0..<5).map { _ in try RateLimitTests.login(env, "victim@x.io", from: attacker) } == Array(repeating: 401, count: 5))
        #expect(try RateLimitTests.login(env, "victim@x.io", password: "password123", from: attacker) == 429)
        #expect(try RateLimitTests.login(env, "victim@x.io", password: "password123", from: "198.51.100.20") == 200)
    }

    @Test("guessing spread over many addresses meets the per-email budget")
    func distributedGuessingIsLimitedPerEmail() throws {
        let env = try RateLimitTests.behindProxy { $0.loginFailuresPerEmailAllAddresses = 6 }
        try env.user("victim@x.io", role: .candidate)
        #expect(try (0..<6).map { try RateLimitTests.login(env, "victim@x.io", from: "203.0.113.\($0)") } == Array(repeating: 401, count: 6))
        let limited = try env.call("POST", "/api/auth/login", body: #"{"email":"victim@x.io","password":"wrong-password"}"#,
                                   headers: [("X-Forwarded-For", "203.0.113.99")])
        #expect(limited.status == 429 && limited.header("Retry-After").flatMap(Int.init).map { $0 > 0 } == true)
    }
}

@Suite("Signup limits")
struct SignupLimitTests {
    static func signup(_ env: APITestEnvironment, _ email: String, from client: String) throws -> APITestEnvironment.Response {
        try env.call("POST", "/api/auth/signup", body: #"{"email":"\#(email)","password":"password123"}"#, headers: [("X-Forwarded-For", client)])
    }

    @Test("ATS_SIGNUP_RATE signups per client address per hour, then 429 with Retry-After; other addresses go on")
    func perAddress() throws {
        let env = try RateLimitTests.behindProxy { $0.signupsPerAddressPerHour = 3 }
        #expect(try (0..<3).map { try SignupLimitTests.signup(env, "c\($0)@x.io", from: "203.0.113.5").status } == [201, 201, 201])
        let limited = try SignupLimitTests.signup(env, "c3@x.io", from: "203.0.113.5")
        #expect(limited.status == 429 && limited.header("Retry-After").flatMap(Int.init).map { $0 > 3000 } == true)
        #expect(try SignupLimitTests.signup(env, "c4@x.io", from: "203.0.113.6").status == 201)
    }

    @Test("a tenant takes at most signupsPerTenantPerHour signups an hour, whatever the addresses; 0 turns the limits off")
    func perTenant() throws {
        let env = try RateLimitTests.behindProxy { $0.signupsPerTenantPerHour = 4 }
        #expect(try (0..<4).map { try SignupLimitTests.signup(env, "c\($0)@x.io", from: "203.0.113.\($0)").status } == [201, 201, 201, 201])
        #expect(try SignupLimitTests.signup(env, "c4@x.io", from: "203.0.113.99").status == 429)
        let off = try RateLimitTests.behindProxy { $0.signupsPerAddressPerHour = 0 }
        #expect(try (0..<25).allSatisfy { try SignupLimitTests.signup(off, "c\($0)@x.io", from: "203.0.113.5").status == 201 })
    }

    @Test("a taken email is refused before the password is hashed")
    func takenEmailSkipsArgon2() throws {
        // A deliberately slow hash (about 0.1 to 1 s) makes the skipped work measurable.
        let env = try APITestEnvironment(.sqlite, hasher: PasswordHasher(opsLimit: 4, memLimit: 64 * 1024 * 1024))
        var start = MonotonicClock.seconds()
        #expect(try SignupLimitTests.signup(env, "taken@x.io", from: "-").status == 201)
        let withHash = MonotonicClock.seconds() - start
        start = MonotonicClock.seconds()
        #expect(try SignupLimitTests.signup(env, "taken@x.io", from: "-").status == 409)
        let taken = MonotonicClock.seconds() - start
        #expect(taken < withHash / 3, "409 took \(taken) s, a signup with a hash \(withHash) s")
    }
}

@Suite("422 size")
struct ValidationSizeTests {
    @Test("a 422 lists at most 50 field errors, then one entry for the rest")
    func fieldErrorsAreCapped() throws {
        let env = try APITestEnvironment(.sqlite)
        let (_, token) = try env.signedIn("rec@x.io", role: .recruiter)
        let members = (0..<80_000).map { "\"k\($0)\":1" }.joined(separator: ",")
        let response = try env.call("POST", "/api/jobs/", body: #"{"title":"T","company":"C","# + members + "}", token: token)
        #expect(response.status == 422)
        let errors = response["errors"].map { value -> [JSONValue] in if case .array(let items) = value { return items } else { return [] } } ?? []
        #expect(errors.count == 51)
        #expect(errors.last == .object([("field", .string("*")), ("message", .string("and 79950 more errors"))]))
        #expect(response.wire.body.count < 16 * 1024, "\(response.wire.body.count) bytes")
    }
}
