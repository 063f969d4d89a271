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
        let user = try env.user("rec@x.io", role: .recruiter)
        let now = Timestamp.now().unixSeconds
        let token = TokenSigner(key: env.secret).sign(TokenClaims(userID: user.id, tenantID: user.tenantID, issuedAt: now, expiresAt: now + 3600,
                                                                   sessionEpoch: user.sessionEpoch))
        let signedIn = try env.call("GET", "/api/jobs", token: token)
        #expect(signedIn.status == 200 && signedIn.header("RateLimit-Remaining") == "4")
        // The operations routes are exempt.
        for path in ["/healthz", "/readyz", "/metrics"] {
            let response = try env.call("GET", path)
            #expect(response.status == 200 && response.header("RateLimit-Limit") == nil, "\(path)")
        }
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
