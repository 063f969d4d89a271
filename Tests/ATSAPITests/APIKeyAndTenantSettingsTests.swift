import ATSAPI
import ATSAuth
import ATSDomain
import ATSFeatures
import ATSNotify
import ATSOutbox
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Synchronization
import Testing

@Suite("API keys and tenant settings over HTTP (both adapters)", .timeLimit(.minutes(3)))
struct APIKeyAndTenantSettingsTests {
    /// An API key made by `admin` through the API: (id, key text).
    private func key(_ env: APITestEnvironment, admin: String, role: String = "recruiter", name: String = "Integration",
                     tenant: String? = nil) throws -> (Int64, String) {
        let created = try env.call("POST", "/api/api-keys", body: #"{"name":"\#(name)","role":"\#(role)"}"#, token: admin, tenant: tenant)
        #expect(created.status == 201, "\(created.text)")
        return (try #require(created["id"]?.int), try #require(created["key"]?.string))
    }

    // MARK: - API keys

    @Test("every API key route: anonymous 401, candidate and recruiter 403, admin allowed", arguments: Backend.allCases)
    func apiKeyRoutesByRole(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let (id, _) = try key(env, admin: admin)
        let body = #"{"name":"CI","role":"recruiter"}"#
        let routes: [(String, String, String?)] = [("GET", "/api/api-keys", nil), ("POST", "/api/api-keys", body),
                                                   ("GET", "/api/api-keys/\(id)", nil), ("DELETE", "/api/api-keys/\(id)", nil)]
        for (method, path, body) in routes {
            let anonymous = try env.call(method, path, body: body)
            #expect(anonymous.status == 401 && anonymous.header("WWW-Authenticate") == "Bearer", "anonymous \(method) \(path)")
            #expect(try env.call(method, path, body: body, token: candidate).status == 403, "candidate \(method) \(path)")
            #expect(try env.call(method, path, body: body, token: recruiter).status == 403, "recruiter \(method) \(path)")
        }
        #expect(try env.call("GET", "/api/api-keys", token: admin).status == 200)
        #expect(try env.call("POST", "/api/api-keys", body: body, token: admin).status == 201)
        #expect(try env.call("GET", "/api/api-keys/\(id)", token: admin).status == 200)
        #expect(try env.call("DELETE", "/api/api-keys/\(id)", token: admin).status == 204)
        // A path id that is not one, or no live key: 404.
        #expect(try env.call("GET", "/api/api-keys/abc", token: admin).status == 404)
        #expect(try env.call("DELETE", "/api/api-keys/\(id)", token: admin).status == 404, "already revoked")
    }

    @Test("creation: 422 per field; the key is shown once, listed without it, and stored only as a hash", arguments: Backend.allCases)
    func keyShownOnce(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (adminUser, admin) = try env.signedIn("admin@x.io", role: .admin)
        let bad: [(String, String)] = [(#"{"role":"recruiter"}"#, "name"), (#"{"name":"  ","role":"recruiter"}"#, "name"),
                                       (#"{"name":"\#(String(repeating: "n", count: 101))","role":"admin"}"#, "name"),
                                       (#"{"name":"x"}"#, "role"), (#"{"name":"x","role":"candidate"}"#, "role"),
                                       (#"{"name":"x","role":"admin","scopes":[]}"#, "scopes")]
        for (body, field) in bad {
            let refused = try env.call("POST", "/api/api-keys", body: body, token: admin)
            #expect(refused.status == 422 && refused["errors"]?.text.contains(#""field":"\#(field)""#) == true, "\(body): \(refused.text)")
        }

        let created = try env.call("POST", "/api/api-keys", body: #"{"name":" HRIS sync ","role":"admin"}"#, token: admin)
        #expect(created.status == 201)
        let id = try #require(created["id"]?.int)
        let secret = try #require(created["key"]?.string)
        let prefix = try #require(created["prefix"]?.string)
        #expect(created.header("Location") == "/api/api-keys/\(id)" && created.header("Cache-Control") == "no-store")
        #expect(created["name"] == .string("HRIS sync") && created["role"] == .string("admin") && created["created_by"] == .int(adminUser.id.rawValue))
        #expect(created["last_used_at"] == .null && created["created_at"]?.string != nil)
        #expect(secret.hasPrefix("ats_") && secret.hasPrefix(prefix) && prefix.count == 12 && secret.count == APIKeySecret.length)

        let listed = try env.call("GET", "/api/api-keys", token: admin)
        #expect(listed.status == 200 && listed.header("X-Total-Count") == "1" && listed.items.count == 1)
        #expect(listed.items.first?["key"] == nil && listed.items.first?["prefix"] == .string(prefix) && listed.items.first?["id"] == .int(id))
        let one = try env.call("GET", "/api/api-keys/\(id)", token: admin)
        #expect(one.status == 200 && one["key"] == nil && !one.text.contains(secret))
        #expect(!listed.text.contains(secret) && !listed.text.contains("hash"))

        // The database holds the SHA-256, never the key.
        let stored = try env.database.database.read(tenant: adminUser.tenantID) { work in
            try work.transaction.connection.queryOne("SELECT key_hash, prefix FROM api_keys WHERE tenant_id = $1 AND id = $2",
                                                     [.int(adminUser.tenantID.rawValue), .int(id)])
        }
        let hash = try #require(try stored?.text(0))
        #expect(hash.count == 64 && hash != secret && !hash.contains(String(secret.dropFirst(13))))
        let storedPrefix = try stored?.text(1) ?? ""
        #expect(APIKeySecret.parse(secret)?.hash == hash && "ats_" + storedPrefix == prefix)
        // Paging as every list: limit, offset, Link.
        _ = try key(env, admin: admin, name: "second")
        let page = try env.call("GET", "/api/api-keys?limit=1", token: admin)
        #expect(page.items.count == 1 && page.header("X-Total-Count") == "2" && page.header("Link")?.contains("rel=\"next\"") == true)
        #expect(page.items.first?["name"] == .string("second"), "newest first")
        #expect(try env.call("GET", "/api/api-keys?limit=0", token: admin).status == 422)
    }

    @Test("a key acts with its role as its creator: a recruiter key cannot create users, an admin key can", arguments: Backend.allCases)
    func keyActsWithItsRole(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (adminUser, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiterKey) = try key(env, admin: admin, role: "recruiter")
        let (_, adminKey) = try key(env, admin: admin, role: "admin")
        let newUser = #"{"email":"new@x.io","password":"password123","role":"recruiter"}"#

        let me = try env.call("GET", "/api/auth/me", token: recruiterKey)
        #expect(me.status == 200 && me["id"] == .int(adminUser.id.rawValue) && me["role"] == .string("recruiter"))
        #expect(try env.call("POST", "/api/users", body: newUser, token: recruiterKey).status == 403)
        #expect(try env.call("GET", "/api/users", token: recruiterKey).status == 403)
        #expect(try env.call("GET", "/api/api-keys", token: recruiterKey).status == 403)
        #expect(try env.call("GET", "/api/tenant", token: recruiterKey).status == 200)
        #expect(try env.call("PATCH", "/api/tenant", body: #"{"name":"Acme"}"#, token: recruiterKey).status == 403)
        // Staff see drafts; a job made with a key belongs to the key's creator.
        let job = try env.call("POST", "/api/jobs/", body: #"{"title":"T","company":"C","status":"draft"}"#, token: recruiterKey)
        #expect(job.status == 201 && job["created_by"] == .int(adminUser.id.rawValue))
        let jobID = try #require(job["id"]?.int)
        #expect(try env.call("GET", "/api/jobs/\(jobID)", token: recruiterKey).status == 200)
        #expect(try env.call("PATCH", "/api/jobs/\(jobID)", body: #"{"status":"open"}"#, token: recruiterKey).status == 200,
                "a recruiter key edits the jobs its creator made")

        #expect(try env.call("POST", "/api/users", body: newUser, token: adminKey).status == 201)
        #expect(try env.call("GET", "/api/users", token: adminKey).status == 200)
        #expect(try env.call("PATCH", "/api/tenant", body: #"{"name":"Acme"}"#, token: adminKey).status == 200)
        // An admin key may make keys; theirs is the same human creator.
        let made = try env.call("POST", "/api/api-keys", body: #"{"name":"child","role":"recruiter"}"#, token: adminKey)
        #expect(made.status == 201 && made["created_by"] == .int(adminUser.id.rawValue))
    }

    @Test("a revoked key is 401 on the very next request", arguments: Backend.allCases)
    func revokedKeyRefused(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (id, secret) = try key(env, admin: admin, role: "admin")
        #expect(try env.call("GET", "/api/users", token: secret).status == 200)
        #expect(try env.call("DELETE", "/api/api-keys/\(id)", token: admin).status == 204)
        let refused = try env.call("GET", "/api/users", token: secret)
        #expect(refused.status == 401 && refused.header("WWW-Authenticate") == "Bearer")
        #expect(try env.call("GET", "/api/jobs/", token: secret).status == 401, "never silently anonymous, even where a token is optional")
        #expect(try env.call("GET", "/api/api-keys", token: admin).items.isEmpty)
        #expect(try env.call("GET", "/api/api-keys/\(id)", token: admin).status == 404)
        // A key may revoke itself; its next request is refused.
        let (selfID, selfKey) = try key(env, admin: admin, role: "admin")
        #expect(try env.call("DELETE", "/api/api-keys/\(selfID)", token: selfKey).status == 204)
        #expect(try env.call("GET", "/api/api-keys", token: selfKey).status == 401)
    }

    @Test("a key works only in its tenant; malformed, unknown and wrong-secret keys are 401", arguments: Backend.allCases)
    func keysAreTenantBoundAndChecked(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        try env.createTenant("other")
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, otherAdmin) = try env.signedIn("admin@other.io", role: .admin, tenant: "other")
        let (id, secret) = try key(env, admin: admin, role: "admin")
        let (otherID, otherKey) = try key(env, admin: otherAdmin, role: "admin", tenant: "other")
        #expect(try env.call("GET", "/api/users", token: otherKey, tenant: "other").status == 200)

        let elsewhere = try env.call("GET", "/api/users", token: secret, tenant: "other")
        #expect(elsewhere.status == 401 && elsewhere.header("WWW-Authenticate") == "Bearer")
        #expect(try env.call("GET", "/api/users", token: otherKey).status == 401)
        // Another tenant's key ids do not exist here.
        #expect(try env.call("GET", "/api/api-keys/\(otherID)", token: admin).status == 404)
        #expect(try env.call("DELETE", "/api/api-keys/\(otherID)", token: admin).status == 404)
        #expect(try env.call("DELETE", "/api/api-keys/\(id)", token: otherAdmin, tenant: "other").status == 404)
        #expect(try env.call("GET", "/api/users", token: otherKey, tenant: "other").status == 200, "still live")

        // The right prefix with another secret, an unknown prefix, and shapes that are no key at all.
        let prefix = String(secret.prefix(13))
        let wrongSecret = prefix + String(repeating: "A", count: 43)
        let unknownPrefix = "ats_aaaaaaaa_" + String(secret.suffix(43))
        let garbage = ["ats_", "ats_garbage", secret + "x", String(secret.dropLast()), "ats_AAAAAAAA_" + String(secret.suffix(43)),
                       prefix + String(repeating: "!", count: 43), wrongSecret, unknownPrefix]
        for token in garbage {
            let refused = try env.call("GET", "/api/users", token: token)
            #expect(refused.status == 401 && refused.header("WWW-Authenticate") == "Bearer", "\(token)")
        }
        #expect(try env.call("GET", "/api/users", token: secret).status == 200)
    }

    @Test("events written with a key have actor_id null; with a token, the user's id", arguments: Backend.allCases)
    func eventsWithAKeyHaveNoActor(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (recruiterUser, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (candidateUser, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let (_, keyText) = try key(env, admin: admin, role: "recruiter")
        let job = try #require(try env.call("POST", "/api/jobs/", body: #"{"title":"T","company":"C"}"#, token: keyText)["id"]?.int)
        let app = try #require(try env.call("POST", "/api/jobs/\(job)/apply", body: "{}", token: candidate)["id"]?.int)
        #expect(try env.call("PATCH", "/api/applications/\(app)/stage", body: #"{"stage":"screening"}"#, token: keyText).status == 200)
        #expect(try env.call("PATCH", "/api/applications/\(app)/stage", body: #"{"stage":"interview"}"#, token: recruiter).status == 200)
        let events = try env.call("GET", "/api/applications/\(app)/events", token: admin).items
        #expect(events.map { $0["actor_id"] } == [.int(candidateUser.id.rawValue), .null, .int(recruiterUser.id.rawValue)])
        // The domain event behind the move records no actor either.
        let actors = try env.database.database.read(tenant: candidateUser.tenantID) { work in
            try work.transaction.connection.query("SELECT actor_id FROM events WHERE tenant_id = $1 AND type = 'application.stage_changed' ORDER BY id",
                                                  [.int(candidateUser.tenantID.rawValue)]).map { try $0.optionalInt(0) }
        }
        #expect(actors == [nil, recruiterUser.id.rawValue])
    }

    @Test("a key survives the deactivation of the admin who made it", arguments: Backend.allCases)
    func keySurvivesCreatorDeactivation(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (creator, creatorToken) = try env.signedIn("creator@x.io", role: .admin)
        let (_, otherAdmin) = try env.signedIn("admin2@x.io", role: .admin)
        let (_, keyText) = try key(env, admin: creatorToken, role: "admin")
        let deactivated = try env.call("PATCH", "/api/users/\(creator.id)", body: #"{"is_active":false}"#, token: otherAdmin)
        #expect(deactivated.status == 200 && deactivated["is_active"] == .bool(false))
        #expect(try env.call("GET", "/api/auth/me", token: creatorToken).status == 401, "the person is out")
        let me = try env.call("GET", "/api/auth/me", token: keyText)
        #expect(me.status == 200 && me["id"] == .int(creator.id.rawValue) && me["is_active"] == .bool(true))
        #expect(try env.call("GET", "/api/users", token: keyText).status == 200, "the key is not")
    }

    @Test("last_used_at is null until the key is used, then set", arguments: Backend.allCases)
    func lastUsedAtRecorded(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (id, keyText) = try key(env, admin: admin)
        let (unusedID, _) = try key(env, admin: admin, name: "unused")
        #expect(try env.call("GET", "/api/api-keys/\(id)", token: admin)["last_used_at"] == .null)
        let before = Timestamp.now()
        // A read-only request (its own transaction cannot write): recorded after it.
        #expect(try env.call("GET", "/api/jobs/", token: keyText).status == 200)
        let used = try env.call("GET", "/api/api-keys/\(id)", token: admin)
        let at = try #require(used["last_used_at"]?.string.flatMap { Timestamp(rfc3339: $0) })
        #expect(at.microseconds >= before.microseconds - 1_000_000)
        #expect(try env.call("GET", "/api/api-keys/\(unusedID)", token: admin)["last_used_at"] == .null)
        // A refused request by a recruiter key is still a use (throttled: no new write within the minute).
        #expect(try env.call("GET", "/api/users", token: keyText).status == 403)
        #expect(try env.call("GET", "/api/api-keys/\(id)", token: admin)["last_used_at"] == used["last_used_at"])
    }

    @Test("API key text: format, parsing, constant-time match")
    func keyMaterial() throws {
        let a = try APIKeySecret.generate(), b = try APIKeySecret.generate()
        #expect(a.key != b.key && a.prefix != b.prefix && a.key.count == APIKeySecret.length)
        let parsed = try #require(APIKeySecret.parse(a.key))
        #expect(parsed.prefix == a.prefix && parsed.hash == a.hash)
        #expect(APIKeySecret.matches(parsed.hash, stored: a.hash) && !APIKeySecret.matches(parsed.hash, stored: b.hash))
        #expect(!APIKeySecret.matches("", stored: "") && !APIKeySecret.matches(parsed.hash, stored: String(a.hash.dropLast())))
        #expect(APIKeySecret.parse("eyJhbGciOiJIUzI1NiJ9.e30.x") == nil && !APIKeySecret.looksLikeKey("eyJhbGciOiJIUzI1NiJ9"))
    }

    // MARK: - Tenant settings

    @Test("tenant routes: anonymous 401, candidates 403, recruiters read, admins read and change", arguments: Backend.allCases)
    func tenantRoutesByRole(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let patch = #"{"settings":{"require_rejection_reason":true}}"#
        for (method, body) in [("GET", nil), ("PATCH", patch)] as [(String, String?)] {
            let anonymous = try env.call(method, "/api/tenant", body: body)
            #expect(anonymous.status == 401 && anonymous.header("WWW-Authenticate") == "Bearer")
            #expect(try env.call(method, "/api/tenant", body: body, token: candidate).status == 403)
        }
        #expect(try env.call("GET", "/api/tenant", token: recruiter).status == 200)
        #expect(try env.call("PATCH", "/api/tenant", body: patch, token: recruiter).status == 403)
        #expect(try env.call("GET", "/api/tenant", token: admin).status == 200)
        let changed = try env.call("PATCH", "/api/tenant", body: patch, token: admin)
        #expect(changed.status == 200 && changed["settings"]?["require_rejection_reason"] == .bool(true))
        #expect(try env.call("PATCH", "/api/tenant", body: "{}", token: recruiter).status == 403)
        #expect(try env.call("PATCH", "/api/tenant", token: admin).status == 200, "an empty body changes nothing")
    }

    @Test("defaults, then partial changes keep the other fields", arguments: Backend.allCases)
    func defaultsAndPartialChanges(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let initial = try env.call("GET", "/api/tenant", token: admin)
        #expect(initial.json == .object([("slug", .string("default")), ("name", .string("Default")), ("settings", .object([
            ("candidate_retention_days", .null), ("require_rejection_reason", .bool(false)), ("mail_from_name", .null), ("reply_to", .null),
        ]))]))

        let a = try env.call("PATCH", "/api/tenant", body: #"{"settings":{"mail_from_name":"  Acme Jobs  "}}"#, token: admin)
        #expect(a.status == 200 && a["settings"]?["mail_from_name"] == .string("Acme Jobs") && a["settings"]?["reply_to"] == .null)
        let b = try env.call("PATCH", "/api/tenant", body: #"{"settings":{"candidate_retention_days":90,"reply_to":"Jobs@Acme.Example"}}"#, token: admin)
        #expect(b["settings"] == .object([("candidate_retention_days", .int(90)), ("require_rejection_reason", .bool(false)),
                                          ("mail_from_name", .string("Acme Jobs")), ("reply_to", .string("jobs@acme.example"))]))
        let c = try env.call("PATCH", "/api/tenant", body: #"{"name":" Acme Corp "}"#, token: admin)
        #expect(c["name"] == .string("Acme Corp") && c["settings"] == b["settings"] && c["slug"] == .string("default"))
        let d = try env.call("PATCH", "/api/tenant", body: #"{"settings":{"require_rejection_reason":true,"candidate_retention_days":null,"mail_from_name":""}}"#,
                             token: admin)
        #expect(d["settings"] == .object([("candidate_retention_days", .null), ("require_rejection_reason", .bool(true)),
                                          ("mail_from_name", .null), ("reply_to", .string("jobs@acme.example"))]))
        #expect(try env.call("GET", "/api/tenant", token: admin).json == d.json, "GET reads what PATCH stored")
        let bounds = try env.call("PATCH", "/api/tenant", body: #"{"settings":{"candidate_retention_days":3650,"reply_to":null}}"#, token: admin)
        #expect(bounds["settings"]?["candidate_retention_days"] == .int(3650) && bounds["settings"]?["reply_to"] == .null)
        #expect(try env.call("PATCH", "/api/tenant", body: #"{"settings":{"candidate_retention_days":30}}"#, token: admin)["settings"]?["candidate_retention_days"] == .int(30))
    }

    @Test("every field's bad values are 422 naming the field; nothing changes", arguments: Backend.allCases)
    func settingsValidation(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let before = try env.call("GET", "/api/tenant", token: admin).json
        let long = String(repeating: "x", count: 101)
        let cases: [(String, String)] = [
            (#"{"name":""}"#, "name"), (#"{"name":"   "}"#, "name"), (#"{"name":null}"#, "name"), (#"{"name":5}"#, "name"),
            (#"{"name":"\#(String(repeating: "n", count: 201))"}"#, "name"), (#"{"slug":"other"}"#, "slug"),
            (#"{"settings":null}"#, "settings"), (#"{"settings":[]}"#, "settings"), (#"{"settings":"x"}"#, "settings"),
            (#"{"settings":{"colour":"red"}}"#, "settings.colour"),
            (#"{"settings":{"candidate_retention_days":29}}"#, "settings.candidate_retention_days"),
            (#"{"settings":{"candidate_retention_days":3651}}"#, "settings.candidate_retention_days"),
            (#"{"settings":{"candidate_retention_days":-1}}"#, "settings.candidate_retention_days"),
            (#"{"settings":{"candidate_retention_days":"90"}}"#, "settings.candidate_retention_days"),
            (#"{"settings":{"candidate_retention_days":90.5}}"#, "settings.candidate_retention_days"),
            (#"{"settings":{"candidate_retention_days":true}}"#, "settings.candidate_retention_days"),
            (#"{"settings":{"require_rejection_reason":null}}"#, "settings.require_rejection_reason"),
            (#"{"settings":{"require_rejection_reason":"yes"}}"#, "settings.require_rejection_reason"),
            (#"{"settings":{"require_rejection_reason":1}}"#, "settings.require_rejection_reason"),
            (#"{"settings":{"mail_from_name":"\#(long)"}}"#, "settings.mail_from_name"),
            (#"{"settings":{"mail_from_name":"Acme\r\nBcc: victim@example.com"}}"#, "settings.mail_from_name"),
            (#"{"settings":{"mail_from_name":"Acme\n"}}"#, "settings.mail_from_name"),
            (#"{"settings":{"mail_from_name":"A\u0000"}}"#, "settings.mail_from_name"),
            (#"{"settings":{"mail_from_name":5}}"#, "settings.mail_from_name"),
            (#"{"settings":{"reply_to":"not-an-email"}}"#, "settings.reply_to"),
            (#"{"settings":{"reply_to":"a@b"}}"#, "settings.reply_to"),
            (#"{"settings":{"reply_to":""}}"#, "settings.reply_to"),
            (#"{"settings":{"reply_to":"a b@c.io"}}"#, "settings.reply_to"),
            (#"{"settings":{"reply_to":" a@c.io"}}"#, "settings.reply_to"),
            (#"{"settings":{"reply_to":"<a@c.io>"}}"#, "settings.reply_to"),
            (#"{"settings":{"reply_to":"a@c.io>\r\nBcc: victim@example.com"}}"#, "settings.reply_to"),
            (#"{"settings":{"reply_to":"\"a\"@c.io"}}"#, "settings.reply_to"),
            (#"{"settings":{"reply_to":"jöbs@c.io"}}"#, "settings.reply_to"),
            (#"{"settings":{"reply_to":"a@.c.io"}}"#, "settings.reply_to"),
            (#"{"settings":{"reply_to":["a@c.io"]}}"#, "settings.reply_to"),
        ]
        for (body, field) in cases {
            let refused = try env.call("PATCH", "/api/tenant", body: body, token: admin)
            let fields = refused["errors"].map { errors -> [String] in
                guard case .array(let items) = errors else { return [] }
                return items.compactMap { $0["field"]?.string }
            } ?? []
            #expect(refused.status == 422 && fields.contains(field), "\(body): \(refused.text)")
        }
        // Several at once: every one named, and the valid ones are not applied either.
        let several = try env.call("PATCH", "/api/tenant", body: #"{"name":"Fine","settings":{"candidate_retention_days":1,"reply_to":"x","mail_from_name":"ok"}}"#,
                                   token: admin)
        #expect(several.status == 422 && several.text.contains("settings.candidate_retention_days") && several.text.contains("settings.reply_to"))
        #expect(try env.call("PATCH", "/api/tenant", body: "[]", token: admin).status == 422)
        #expect(try env.call("PATCH", "/api/tenant", body: "name=x", token: admin, contentType: "text/plain").status == 415)
        #expect(try env.call("GET", "/api/tenant", token: admin).json == before)
    }

    @Test("a change in one tenant leaves another unchanged", arguments: Backend.allCases)
    func settingsAreIsolated(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        try env.createTenant("other")
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, otherAdmin) = try env.signedIn("admin@other.io", role: .admin, tenant: "other")
        let otherBefore = try env.call("GET", "/api/tenant", token: otherAdmin, tenant: "other")
        #expect(otherBefore["slug"] == .string("other") && otherBefore["name"] == .string("other"))
        let changed = try env.call("PATCH", "/api/tenant", body: #"{"name":"Acme","settings":{"mail_from_name":"Acme","require_rejection_reason":true}}"#, token: admin)
        #expect(changed.status == 200)
        #expect(try env.call("GET", "/api/tenant", token: otherAdmin, tenant: "other").json == otherBefore.json)
        // A token of one tenant changes nothing in another (401 there).
        #expect(try env.call("PATCH", "/api/tenant", body: #"{"name":"Hijacked"}"#, token: admin, tenant: "other").status == 401)
        let other = try env.call("PATCH", "/api/tenant", body: #"{"settings":{"candidate_retention_days":365}}"#, token: otherAdmin, tenant: "other")
        #expect(other["settings"]?["candidate_retention_days"] == .int(365) && other["settings"]?["mail_from_name"] == .null)
        #expect(try env.call("GET", "/api/tenant", token: admin).json == changed.json)
    }

    @Test("a tenant's mail goes out with its From name and Reply-To; another tenant's without", arguments: Backend.allCases)
    func mailCarriesTenantSettings(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        try env.createTenant("other")
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (candidateUser, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let (_, otherRecruiter) = try env.signedIn("rec@other.io", role: .recruiter, tenant: "other")
        let (otherCandidate, otherCandidateToken) = try env.signedIn("cand@other.io", role: .candidate, tenant: "other")
        #expect(try env.call("PATCH", "/api/tenant", body: #"{"settings":{"mail_from_name":"Acme Recruiting","reply_to":"jobs@acme.example"}}"#,
                             token: admin).status == 200)
        let job = try #require(try env.call("POST", "/api/jobs/", body: #"{"title":"T","company":"C"}"#, token: recruiter)["id"]?.int)
        #expect(try env.call("POST", "/api/jobs/\(job)/apply", body: "{}", token: candidate).status == 201)
        let otherJob = try #require(try env.call("POST", "/api/jobs/", body: #"{"title":"T","company":"C"}"#, token: otherRecruiter, tenant: "other")["id"]?.int)
        #expect(try env.call("POST", "/api/jobs/\(otherJob)/apply", body: "{}", token: otherCandidateToken, tenant: "other").status == 201)

        let transport = CapturingTransport()
        let delivery = NotificationDelivery(database: env.database.database, transport: transport, from: MailAddress("noreply@ats.example", name: "ATS"),
                                            domain: "ats.example")
        for tenant in [candidateUser.tenantID, otherCandidate.tenantID] {
            let due = try env.database.database.read(tenant: tenant) { try $0.outbox.due(tenant, now: .now(), limit: 10) }
            #expect(due.count == 2)
            for message in due { #expect(delivery.deliver(tenant: tenant, id: message.id, key: "t\(tenant.rawValue)-\(message.id)") == .sent) }
        }
        let sent = transport.messages
        let acme = sent.filter { $0.to.address.hasSuffix("@x.io") }, other = sent.filter { $0.to.address.hasSuffix("@other.io") }
        #expect(acme.count == 2 && other.count == 2)
        for mail in acme {
            #expect(mail.from == MailAddress("noreply@ats.example", name: "Acme Recruiting") && mail.replyTo == MailAddress("jobs@acme.example"))
            let text = mail.rendered()
            #expect(text.contains("\r\nFrom: \"Acme Recruiting\" <noreply@ats.example>\r\n") && text.contains("\r\nReply-To: <jobs@acme.example>\r\n"))
        }
        for mail in other {
            #expect(mail.from == MailAddress("noreply@ats.example", name: "ATS") && mail.replyTo == nil && !mail.rendered().contains("Reply-To"))
        }
    }

    @Test("header injection through the mail settings is impossible, even past validation")
    func mailSettingsCannotInjectHeaders() throws {
        let message = OutboxMessage(id: 7, tenantID: TenantID(1), kind: NotificationKind.applicationReceived.rawValue, recipient: "cand@x.io",
                                    payload: #"{"job_title":"T","company":"C","candidate_name":"Cand"}"#, status: .pending, attempts: 0,
                                    lastError: nil, availableAt: .now(), createdAt: .now(), sentAt: nil)
        let hostile = TenantSettings(mailFromName: "Acme\r\nBcc: victim@example.com", replyTo: "a@b.io>\r\nBcc: victim@example.com")
        let mail = try NotificationTemplates.compose(message, from: MailAddress("noreply@ats.example"), domain: "ats.example", settings: hostile)
        let rendered = mail.rendered()
        let headers = String(rendered[..<(rendered.firstRange(of: "\r\n\r\n")?.lowerBound ?? rendered.endIndex)])
        #expect(!headers.contains("Bcc") && !headers.contains("Reply-To") && !headers.contains("victim"))
        #expect(headers.contains("From: =?UTF-8?B?"), "an odd display name is encoded, never raw")
        let fine = try NotificationTemplates.compose(message, from: MailAddress("noreply@ats.example", name: "ATS"), domain: "ats.example",
                                                     settings: TenantSettings(mailFromName: "Zoë's Jobs", replyTo: "jobs@acme.example"))
        #expect(fine.rendered().contains("Reply-To: <jobs@acme.example>\r\n") && fine.from.name == "Zoë's Jobs")
        #expect(TenantSettings.normalizedReplyTo("Jobs@Acme.Example") == "jobs@acme.example")
        for bad in ["a@b.io>", "a@b.io\r\n", "<a@b.io", "a,b@c.io", "a@b@c.io", "a@b.", "a@b"] { #expect(TenantSettings.normalizedReplyTo(bad) == nil, "\(bad)") }
    }
}

/// Keeps every message instead of sending it.
private final class CapturingTransport: MailTransport {
    private let sent = Mutex<[MailMessage]>([])
    var messages: [MailMessage] { sent.withLock { $0 } }
    var summary: String { "captured" }
    func deliver(_ message: MailMessage, key: String) throws { sent.withLock { $0.append(message) } }
}
