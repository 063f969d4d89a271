import ATSAPI
import ATSAuth
import ATSDomain
import ATSSupport
import ATSFeatures
import ATSNotify
import ATSPersistence
import ATSTestSupport
import Foundation
import Testing

/// Passwords, sessions, invitations and PATCH /api/auth/me (API.md, Accounts), over real
/// sockets on both engines.
@Suite("Accounts: passwords, sessions, invitations")
struct AccountTests {
    /// The tenant's outbox rows of `kind`, oldest first.
    static func mails(_ env: APITestEnvironment, kind: NotificationKind) throws -> [OutboxMessage] {
        let db = env.database.database
        let tenant = try #require(try db.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        return try db.read(tenant: tenant.id) { try $0.outbox.list(tenant.id, filter: NotificationFilter(), page: Page(limit: 100, offset: 0)) }
            .items.filter { $0.kind == kind.rawValue }.reversed()
    }

    static func firstField(_ response: APITestEnvironment.Response) -> String? {
        guard case .array(let errors)? = response["errors"] else { return nil }
        return errors.first?["field"]?.string
    }

    /// The token a mail carries, read from the composed mail's text (as its recipient
    /// would), opened with the server's key as `ats serve` and `ats worker` do.
    static func token(in message: OutboxMessage, _ env: APITestEnvironment) throws -> String {
        let sealer = try SecretSealer(secretKey: env.secret)
        #expect(!message.payload.isEmpty)
        let mail = try NotificationTemplates.compose(message, from: MailAddress("no-reply@x.io"), domain: "x.io", opener: { sealer.open($0) })
        let marker = "code within 30 minutes: "
        guard let range = mail.text.range(of: marker) ?? mail.text.range(of: "token=") else { throw APIError.badRequest("no token in the mail") }
        let token = String(mail.text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        // Sealed: the clear token is nowhere in the stored row.
        #expect(!message.payload.contains(token) && token.count == 43)
        return token
    }

    @Test("password change: the old token is refused at once, the new one works; a wrong current password is 422 and counted", arguments: Backend.allCases)
    func passwordChange(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend) { $0.loginFailuresPerEmail = 3 }
        let (_, token) = try env.signedIn("c@x.io", role: .candidate)
        let other = try env.login("c@x.io")
        let changed = try env.call("POST", "/api/auth/password", body: #"{"current_password":"password123","new_password":"another-pass"}"#, token: token)
        #expect(changed.status == 200 && changed.header("Cache-Control") == "no-store", "\(changed.text)")
        let fresh = try #require(changed["access_token"]?.string)
        #expect(try env.call("GET", "/api/auth/me", token: token).status == 401)
        #expect(try env.call("GET", "/api/auth/me", token: other).status == 401)
        #expect(try env.call("GET", "/api/auth/me", token: fresh).status == 200)
        #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"c@x.io","password":"password123"}"#).status == 401)
        let relogged = try env.login("c@x.io", password: "another-pass")
        for _ in 0..<1 {
            let wrong = try env.call("POST", "/api/auth/password", body: #"{"current_password":"nope-nope","new_password":"third-pass"}"#, token: relogged)
            #expect(wrong.status == 422 && AccountTests.firstField(wrong) == "current_password", "\(wrong.text)")
        }
        // Two login failures plus the wrong current password: the limit of 3 is reached.
        for _ in 0..<2 { _ = try env.call("POST", "/api/auth/login", body: #"{"email":"c@x.io","password":"bad-bad-bad"}"#) }
        let limited = try env.call("POST", "/api/auth/login", body: #"{"email":"c@x.io","password":"another-pass"}"#)
        #expect(limited.status == 429, "\(limited.text)")
        let short = try env.call("POST", "/api/auth/password", body: #"{"current_password":"x","new_password":"short"}"#, token: fresh)
        #expect(AccountTests.firstField(short) == "new_password")
        #expect(try env.call("POST", "/api/auth/password", body: #"{"current_password":"x","new_password":"long-enough","role":"admin"}"#, token: fresh).status == 422)
        #expect(try env.call("POST", "/api/auth/password", body: #"{"current_password":"a","new_password":"long-enough"}"#).status == 401)
    }

    @Test("logout: the token is refused right after; logging in again works", arguments: Backend.allCases)
    func logout(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, token) = try env.signedIn("r@x.io", role: .recruiter)
        #expect(try env.call("POST", "/api/auth/logout", token: token, contentType: nil).status == 204)
        #expect(try env.call("GET", "/api/auth/me", token: token).status == 401)
        #expect(try env.call("POST", "/api/auth/logout", token: token).status == 401)
        let again = try env.login("r@x.io")
        #expect(try env.call("GET", "/api/auth/me", token: again).status == 200)
        #expect(try env.call("POST", "/api/auth/logout", body: #"{"all":true}"#, token: again).status == 422)
        // A token of another tenant is 401 here.
        try env.createTenant("other")
        let (_, foreign) = try env.signedIn("r@x.io", role: .recruiter, tenant: "other")
        #expect(try env.call("POST", "/api/auth/logout", token: foreign).status == 401)
    }

    @Test("reset: 202 with the same body for any email; 3 mails an hour; confirm once; used, unknown, expired tokens 422", arguments: Backend.allCases)
    func reset(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, token) = try env.signedIn("c@x.io", role: .candidate)
        var bodies: Set<String> = []
        for email in ["c@x.io", " C@X.io ", "nobody@x.io", "not an email"] {
            let response = try env.call("POST", "/api/auth/password-reset", body: #"{"email":"\#(email)"}"#)
            #expect(response.status == 202)
            bodies.insert(response.text)
        }
        #expect(bodies.count == 1)
        #expect(try env.call("POST", "/api/auth/password-reset", body: #"{"email":1}"#).status == 422)
        #expect(try env.call("POST", "/api/auth/password-reset", body: #"{"email":"a@x.io","x":1}"#).status == 422)
        #expect(try Self.mails(env, kind: .passwordReset).count == 2)
        _ = try env.call("POST", "/api/auth/password-reset", body: #"{"email":"c@x.io"}"#)
        #expect(try env.call("POST", "/api/auth/password-reset", body: #"{"email":"c@x.io"}"#).status == 202)
        let mails = try Self.mails(env, kind: .passwordReset)
        #expect(mails.count == 3, "the 4th within the hour is not queued")
        let first = try Self.token(in: mails[0], env)
        let second = try Self.token(in: mails[1], env)

        let unknown = try env.call("POST", "/api/auth/password-reset/confirm", body: #"{"token":"AAAA","new_password":"brand-new-pass"}"#)
        #expect(unknown.status == 422 && AccountTests.firstField(unknown) == "token")
        let confirmed = try env.call("POST", "/api/auth/password-reset/confirm", body: #"{"token":"\#(first)","new_password":"brand-new-pass"}"#)
        #expect(confirmed.status == 200, "\(confirmed.text)")
        #expect(try env.call("GET", "/api/auth/me", token: try #require(confirmed["access_token"]?.string)).status == 200)
        #expect(try env.call("GET", "/api/auth/me", token: token).status == 401, "the reset ended the old session")
        for used in [first, second] {
            #expect(try env.call("POST", "/api/auth/password-reset/confirm", body: #"{"token":"\#(used)","new_password":"brand-new-pass"}"#).status == 422)
        }
        _ = try env.login("c@x.io", password: "brand-new-pass")

        // Expired: a fresh token whose row is past its expiry.
        let other = try env.user("d@x.io", role: .candidate)
        _ = try env.call("POST", "/api/auth/password-reset", body: #"{"email":"d@x.io"}"#)
        let expiring = try Self.token(in: try #require(try Self.mails(env, kind: .passwordReset).last), env)
        try env.database.database.transaction(tenant: other.tenantID) { work in
            _ = try work.transaction.run { () throws(SQLError) -> Int in
                try work.transaction.connection.execute("UPDATE password_tokens SET expires_at = $2 WHERE tenant_id = $1",
                                                        [.int(other.tenantID.rawValue), .timestamp(Timestamp(microseconds: 0))])
            }
        }
        #expect(try env.call("POST", "/api/auth/password-reset/confirm", body: #"{"token":"\#(expiring)","new_password":"brand-new-pass"}"#).status == 422)
    }

    @Test("invitation: a user without a password cannot log in until the invitation is confirmed", arguments: Backend.allCases)
    func invitation(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let admin = try env.user("boss@x.io", role: .admin)
        let db = env.database.database
        let tenant = try #require(try db.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        let sealer = try SecretSealer(secretKey: env.secret)
        let invited = try db.transaction(tenant: tenant.id) { work in
            let user = try work.users.create(tenant.id, NewUser(email: "new@x.io", passwordHash: "", fullName: "New Person", role: .candidate))
            try AccountService(sealer: sealer).invite(work, tenant: tenant, user: user, by: admin)
            return user
        }
        #expect(!invited.hasPassword)
        for password in ["", "password123", "anything-at-all"] {
            #expect(try env.call("POST", "/api/auth/login", body: #"{"email":"new@x.io","password":"\#(password)"}"#).status == (password.isEmpty ? 422 : 401))
        }
        #expect(try env.call("POST", "/api/auth/signup", body: #"{"email":"new@x.io","password":"password123"}"#).status == 409)
        let mail = try #require(try Self.mails(env, kind: .invitation).first)
        let opened = try NotificationTemplates.compose(mail, from: MailAddress("no-reply@x.io"), domain: "x.io", opener: { sealer.open($0) })
        #expect(opened.subject.contains(tenant.name) && opened.text.contains("boss@x.io invited you"))
        let token = String(try #require(opened.text.split(separator: " ").last { $0.count >= 43 }).prefix(43))
        #expect(!mail.payload.contains(token))
        let confirmed = try env.call("POST", "/api/auth/password-reset/confirm", body: #"{"token":"\#(token)","new_password":"my-first-pass"}"#)
        #expect(confirmed.status == 200, "\(confirmed.text)")
        _ = try env.login("new@x.io", password: "my-first-pass")
        // Without SECRET_KEY's opener the mail cannot be composed (never sent with the sealed text).
        #expect(throws: NotificationTemplates.SealedSecretUnavailable.self) {
            try NotificationTemplates.compose(mail, from: MailAddress("no-reply@x.io"), domain: "x.io")
        }
    }

    @Test("PATCH /api/auth/me: candidates edit their profile, staff only their name; bad and unknown fields 422", arguments: Backend.allCases)
    func updateMe(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, candidate) = try env.signedIn("c@x.io", role: .candidate)
        let me = try env.call("PATCH", "/api/auth/me", body: #"{"full_name":"Ada","phone":"+1 555","location":"Paris","links":["https://a.io"]}"#, token: candidate)
        #expect(me.status == 200 && me["phone"] == .string("+1 555") && me["links"] == .array([.string("https://a.io")]) && me["has_password"] == .bool(true), "\(me.text)")
        for (body, field) in [(#"{"links":["ftp://a.io"]}"#, "links"), (#"{"phone":1}"#, "phone"), (#"{"role":"admin"}"#, "role"), (#"{"email":"a@b.io"}"#, "email"),
                              (#"{"tags":["x"]}"#, "tags"), (#"{"source":"x"}"#, "source"), (#"{"full_name":"\#(String(repeating: "a", count: 201))"}"#, "full_name")] {
            let bad = try env.call("PATCH", "/api/auth/me", body: body, token: candidate)
            #expect(bad.status == 422 && AccountTests.firstField(bad) == field, "\(body): \(bad.text)")
        }
        for role in [Role.recruiter, .admin] {
            let (_, staff) = try env.signedIn("\(role.rawValue)@x.io", role: role)
            let named = try env.call("PATCH", "/api/auth/me", body: #"{"full_name":"Grace"}"#, token: staff)
            #expect(named.status == 200 && named["full_name"] == .string("Grace") && named["phone"] == nil, "\(named.text)")
            // Staff may keep contact details too; they answer as a User, which shows none.
            let phone = try env.call("PATCH", "/api/auth/me", body: #"{"phone":"1"}"#, token: staff)
            #expect(phone.status == 200 && phone["phone"] == nil)
        }
        #expect(try env.call("PATCH", "/api/auth/me", body: "{}").status == 401)
        let db = env.database.database
        let tenant = try #require(try db.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        let user = try #require(try db.read(tenant: tenant.id) { try $0.users.find(tenant.id, email: "c@x.io") })
        #expect(user.lastActiveAt != nil)
    }
}
