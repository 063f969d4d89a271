@testable import ATSAPI
import ATSAuth
import ATSDomain
import ATSSupport
import ATSTestSupport
import Testing

@Suite("API rate limits: RateLimit-* headers, 429 with Retry-After, per tenant and caller, exempt operations, off at 0")
struct APIRateLimitTests {
    @Test("the budget per caller counts down in the headers, then 429; each caller and tenant has its own", arguments: Backend.allCases)
    func limited(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend) { $0.rateLimitPerMinute = 5 }
        try env.createTenant("other")
        for remaining in (0..<5).reversed() {
            let response = try env.call("GET", "/api/jobs")
            #expect(response.status == 200)
            #expect(response.header("RateLimit-Limit") == "5" && response.header("RateLimit-Remaining") == String(remaining))
            let reset = Int(response.header("RateLimit-Reset") ?? "") ?? 0
            #expect((1...60).contains(reset))
        }
        let limited = try env.call("GET", "/api/jobs")
        #expect(limited.status == 429 && limited.header("Content-Type") == "application/problem+json")
        #expect(limited.header("RateLimit-Remaining") == "0" && (Int(limited.header("Retry-After") ?? "") ?? 0) >= 1)
        // Errors carry the headers too; another tenant, and a signed-in user, count apart.
        #expect(try env.call("GET", "/api/jobs/999", tenant: "other").header("RateLimit-Remaining") == "4")
        let token = Self.token(env, try env.user("rec@x.io", role: .recruiter))
        let signedIn = try env.call("GET", "/api/jobs", token: token)
        #expect(signedIn.status == 200 && signedIn.header("RateLimit-Remaining") == "4")
        // The operations routes are exempt.
        for path in ["/healthz", "/readyz", "/metrics"] {
            let response = try env.call("GET", path)
            #expect(response.status == 200 && response.header("RateLimit-Limit") == nil, "\(path)")
        }
    }

    @Test("made-up API keys are charged to the client's address: new keys do not buy new budgets", arguments: Backend.allCases)
    func unknownKeys(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend) { $0.rateLimitPerMinute = 3 }
        for _ in 0..<3 {
            #expect(try env.call("GET", "/api/jobs", token: try APIKeySecret.generate().key).status == 401)
        }
        let refused = try env.call("GET", "/api/jobs", token: try APIKeySecret.generate().key)
        #expect(refused.status == 429 && refused.header("Retry-After") != nil, "\(refused.status)")
        #expect(try env.call("GET", "/api/jobs").status == 429, "the address's own budget is spent")
        // Until that window ends, every key from the address waits (a key is known only
        // once the handler looked it up); a signed-in user is counted on their own.
        let admin = Self.token(env, try env.user("admin@x.io", role: .admin))
        let created = try env.call("POST", "/api/api-keys", body: #"{"name":"ci","role":"recruiter"}"#, token: admin)
        #expect(created.status == 201 && created.header("RateLimit-Remaining") == "2")
        let key = try #require(created["key"]?.string)
        #expect(try env.call("GET", "/api/jobs", token: key).status == 429)
    }

    /// A token made here (a login would be an anonymous request, limited like the others).
    static func token(_ env: APITestEnvironment, _ user: User) -> String {
        let now = Timestamp.now().unixSeconds
        return TokenSigner(key: env.secret).sign(TokenClaims(userID: user.id, tenantID: user.tenantID, issuedAt: now, expiresAt: now + 3600,
                                                             sessionEpoch: user.sessionEpoch))
    }

    @Test("with the limit off (0) no RateLimit-* headers are sent", arguments: Backend.allCases)
    func off(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        for _ in 0..<3 {
            let response = try env.call("GET", "/api/jobs")
            #expect(response.status == 200 && response.header("RateLimit-Limit") == nil && response.header("RateLimit-Remaining") == nil)
        }
    }
}
