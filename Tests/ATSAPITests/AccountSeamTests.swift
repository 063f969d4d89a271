import ATSAPI
import ATSDomain
import ATSSupport
import ATSTestSupport
import Testing

/// Where accounts meet the other features: a staff-added candidate's invitation, and
/// API keys kept away from the routes about one's own account.
@Suite("Accounts with candidates and API keys (both adapters)", .timeLimit(.minutes(3)))
struct AccountSeamTests {
    @Test("POST /api/candidates with invite: true queues the invitation; without it nothing is mailed", arguments: Backend.allCases)
    func inviteOnCreate(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@seam.io", role: .admin)
        let invited = try env.call("POST", "/api/candidates", body: #"{"email":"ada@seam.io","full_name":"Ada","invite":true}"#, token: admin)
        #expect(invited.status == 201 && invited["has_password"] == .bool(false), "\(invited.text)")
        let quiet = try env.call("POST", "/api/candidates", body: #"{"email":"bob@seam.io","full_name":"Bob"}"#, token: admin)
        #expect(quiet.status == 201)
        let mail = try env.call("GET", "/api/notifications?limit=100", token: admin)
        #expect(mail.items.map { $0["kind"]?.string ?? "" } == ["invitation"] && mail.items.first?["recipient"] == .string("ada@seam.io"), "\(mail.text)")
        // The sealed token never appears in the listing or as clear text anywhere visible.
        #expect(!mail.text.contains("sealed"))
        // Nobody can log in before accepting.
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"ada@seam.io","password":"whatever-it-is"}"#).status == 401)
    }

    @Test("an API key cannot change its creator's password, sessions or profile", arguments: Backend.allCases)
    func keysAreNotPeople(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@seam.io", role: .admin)
        let key = try #require(try env.call("POST", "/api/api-keys", body: #"{"name":"HRIS","role":"admin"}"#, token: admin)["key"]?.string)
        #expect(try env.call("POST", "/api/auth/password", body: #"{"current_password":"password123","new_password":"another-password"}"#, token: key).status == 403)
        #expect(try env.call("POST", "/api/auth/logout", token: key).status == 403)
        #expect(try env.call("PATCH", "/api/auth/me", body: #"{"full_name":"Key"}"#, token: key).status == 403)
        // The key still works, and so does the admin's own token: nothing was changed.
        #expect(try env.call("GET", "/api/users", token: key).status == 200)
        #expect(try env.call("GET", "/api/auth/me", token: admin)["full_name"] == .null)
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"admin@seam.io","password":"password123"}"#).status == 200)
    }
}
