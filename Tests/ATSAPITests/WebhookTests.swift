import ATSAPI
import ATSAuth
import ATSDomain
import ATSFeatures
import ATSNet
import ATSNotify
import ATSOutbox
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Foundation
import Testing

/// Verifies an `ATS-Signature` header as a receiver does, in Python (the snippet of
/// docs/webhooks.md): true when one `v1=` matches HMAC-SHA256(secret, "t.body").
func receiverVerifies(secret: String, header: String, body: String) throws -> Bool {
    let script = """
        import hmac, hashlib, os, sys
        secret, header, body = os.environ["SECRET"], os.environ["HEADER"], os.environ["BODY"].encode()
        parts = dict(p.split("=", 1) for p in header.split(",") if p.startswith("t="))
        signatures = [p[3:] for p in header.split(",") if p.startswith("v1=")]
        expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        sys.exit(0 if any(hmac.compare_digest(expected, s) for s in signatures) else 1)
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    process.environment = ["SECRET": secret, "HEADER": header, "BODY": body, "PATH": "/usr/bin:/bin"]
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus == 0
}

/// A webhook test: the API (loopback receivers allowed) and a delivery like `ats serve`'s,
/// trusting the test CA.
final class WebhookRig {
    let env: APITestEnvironment
    let certificates: TestCertificates
    let receiver: WebhookReceiver
    let dispatcher: OutboxDispatcher
    let mailDirectory: String
    let tenant: TenantID
    let admin: String

    init(_ backend: Backend) throws {
        env = try APITestEnvironment(backend) { $0.webhookPolicy = WebhookPolicy(allowHTTP: false, allowPrivate: true) }
        certificates = try TestCertificates()
        receiver = try WebhookReceiver(certificates: certificates)
        var client = HTTPClient.Settings()
        client.allowPrivate = true
        client.caFile = certificates.caFile
        client.totalTimeout = 3
        let sealer = try SecretSealer(secretKey: env.secret)
        mailDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-webhook-mail-\(UUID().uuidString)").path
        let delivery = NotificationDelivery(database: env.database.database, transport: try MailDirectoryTransport(directory: mailDirectory),
                                            from: MailAddress("jobs@acme.io"), domain: "acme.io", opener: { sealer.open($0) },
                                            webhooks: WebhookSender(client: HTTPClient(settings: client), policy: WebhookPolicy(allowPrivate: true),
                                                                    open: { sealer.open($0) }))
        dispatcher = OutboxDispatcher(database: env.database.database, delivery: delivery)
        tenant = try #require(try env.database.database.read(tenant: nil) { try $0.tenants.find(slug: "default") }).id
        admin = try env.signedIn("admin@x.io", role: .admin).1
    }

    deinit { try? FileManager.default.removeItem(atPath: mailDirectory) }

    /// Creates a webhook to the receiver; (id, secret).
    func create(events: String = #"["*"]"#) throws -> (Int64, String) {
        let created = try env.call("POST", "/api/webhooks", body: #"{"url":"\#(receiver.url)","events":\#(events)}"#, token: admin)
        #expect(created.status == 201, "\(created.text)")
        return (try #require(created["id"]?.int), try #require(created["secret"]?.string))
    }

    /// Runs the dispatcher as if `seconds` had passed.
    @discardableResult
    func deliver(after seconds: Double = 0) -> Int {
        dispatcher.runOnce(now: Timestamp(microseconds: Timestamp.now().microseconds + Int64(seconds * 1e6)))
    }

    func deliveries(_ webhook: Int64) throws -> [JSONValue] {
        try env.call("GET", "/api/webhooks/\(webhook)/deliveries?limit=100", token: admin).items
    }

    func webhook(_ id: Int64) throws -> APITestEnvironment.Response { try env.call("GET", "/api/webhooks/\(id)", token: admin) }
}

@Suite("Webhooks: subscriptions, signed deliveries to a real HTTPS receiver, retries and disabling", .serialized, .timeLimit(.minutes(3)))
struct WebhookTests {
    @Test("CRUD is admin-only, the secret shows on create and rotate only, other tenants see 404", arguments: Backend.allCases)
    func crud(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let admin = try env.signedIn("admin@x.io", role: .admin).1
        let recruiter = try env.signedIn("rec@x.io", role: .recruiter).1
        let candidate = try env.signedIn("cand@x.io", role: .candidate).1
        let body = #"{"url":"https://93.184.216.34/hooks/ats","events":["job.created","application.created"],"description":"HRIS"}"#
        for token in [recruiter, candidate] { #expect(try env.call("POST", "/api/webhooks", body: body, token: token).status == 403) }
        #expect(try env.call("POST", "/api/webhooks", body: body).status == 401)
        let created = try env.call("POST", "/api/webhooks", body: body, token: admin)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created["id"]?.int)
        #expect(created.header("Location") == "/api/webhooks/\(id)" && created.header("Cache-Control") == "no-store")
        #expect(created["secret"]?.string?.hasPrefix("whsec_") == true && created["active"] == .bool(true) && created["consecutive_failures"]?.int == 0)
        #expect(created["events"] == .array([.string("application.created"), .string("job.created")]) && created["last_success_at"] == .null)
        let fetched = try env.call("GET", "/api/webhooks/\(id)", token: admin)
        #expect(fetched.status == 200 && fetched["secret"] == nil && fetched["description"]?.string == "HRIS")
        #expect(try env.call("GET", "/api/webhooks/\(id)", token: recruiter).status == 403)
        let list = try env.call("GET", "/api/webhooks", token: admin)
        #expect(list.items.count == 1 && list.header("X-Total-Count") == "1" && !list.text.contains("whsec_"))
        // The stored secret is sealed: the clear one is nowhere in the database.
        let secret = try #require(created["secret"]?.string)
        let tenant = try #require(try env.database.database.read(tenant: nil) { try $0.tenants.find(slug: "default") })
        let exported = try env.database.database.read(tenant: tenant.id) { work -> String in
            try work.transaction.rows("SELECT secret FROM webhooks WHERE tenant_id = $1", [.int(tenant.id.rawValue)]) { (row: SQLRow) throws(SQLError) -> String in try row.text(0) }.joined()
        }
        #expect(!exported.isEmpty && !exported.contains(secret))

        let patched = try env.call("PATCH", "/api/webhooks/\(id)", body: #"{"events":["*"],"active":false,"description":null}"#, token: admin)
        #expect(patched.status == 200 && patched["events"] == .array([.string("*")]) && patched["active"] == .bool(false) && patched["description"] == .null)
        let rotated = try env.call("POST", "/api/webhooks/\(id)/rotate-secret", token: admin)
        #expect(rotated.status == 200 && rotated["secret"]?.string?.hasPrefix("whsec_") == true && rotated["secret"]?.string != secret)

        try env.createTenant("other")
        let stranger = try env.signedIn("boss@other.io", role: .admin, tenant: "other").1
        for (method, path) in [("GET", "/api/webhooks/\(id)"), ("DELETE", "/api/webhooks/\(id)"), ("POST", "/api/webhooks/\(id)/rotate-secret"),
                               ("GET", "/api/webhooks/\(id)/deliveries")] {
            #expect(try env.call(method, path, token: stranger, tenant: "other").status == 404, "\(method) \(path)")
        }
        #expect(try env.call("GET", "/api/webhooks", token: stranger, tenant: "other").items.isEmpty)
        #expect(try env.call("DELETE", "/api/webhooks/\(id)", token: admin).status == 204)
        #expect(try env.call("GET", "/api/webhooks/\(id)", token: admin).status == 404)
        // The audit log has every change, and never a secret.
        let audit = try env.call("GET", "/api/audit-events?resource_type=webhook&limit=100", token: admin)
        #expect(Set(audit.items.compactMap { $0["action"]?.string }) == ["webhook.created", "webhook.updated", "webhook.secret_rotated", "webhook.deleted"])
        #expect(!audit.text.contains("whsec_") && !audit.text.contains(secret), "\(audit.text)")
        #expect(try env.call("GET", "/api/webhooks/abc", token: admin).status == 404)
    }

    @Test("bad input is 422 naming the field: http, private and loopback hosts (also by name), unknown events, unknown fields",
          arguments: Backend.allCases)
    func validation(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let admin = try env.signedIn("admin@x.io", role: .admin).1
        let cases: [(String, String)] = [
            (#"{"url":"http://93.184.216.34/hook","events":["*"]}"#, "url"),
            (#"{"url":"https://127.0.0.1/hook","events":["*"]}"#, "url"),
            (#"{"url":"https://localhost:8443/hook","events":["*"]}"#, "url"),
            (#"{"url":"https://169.254.169.254/latest/meta-data","events":["*"]}"#, "url"),
            (#"{"url":"https://10.0.0.5/hook","events":["*"]}"#, "url"),
            (#"{"url":"https://[::ffff:192.168.0.1]/hook","events":["*"]}"#, "url"),
            (#"{"url":"https://user:pw@93.184.216.34/hook","events":["*"]}"#, "url"),
            (#"{"url":"ftp://93.184.216.34/","events":["*"]}"#, "url"),
            (#"{"url":"https://93.184.216.34/\#(String(repeating: "a", count: 2000))","events":["*"]}"#, "url"),
            (#"{"url":"https://93.184.216.34/hook","events":["job.exploded"]}"#, "events"),
            (#"{"url":"https://93.184.216.34/hook","events":["*","job.created"]}"#, "events"),
            (#"{"url":"https://93.184.216.34/hook","events":[]}"#, "events"),
            (#"{"url":"https://93.184.216.34/hook","events":["ping"]}"#, "events"),
            (#"{"url":"https://93.184.216.34/hook"}"#, "events"),
            (#"{"events":["*"]}"#, "url"),
            (#"{"url":"https://93.184.216.34/hook","events":["*"],"secret":"mine"}"#, "secret"),
            (#"{"url":"https://93.184.216.34/hook","events":["*"],"active":"yes"}"#, "active"),
        ]
        for (body, field) in cases {
            let response = try env.call("POST", "/api/webhooks", body: body, token: admin)
            #expect(response.status == 422, "\(body): \(response.text)")
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(response.text.contains(#""field":"\#(field)""#), "\(body): \(response.text)")
        }
        #expect(try env.call("POST", "/api/webhooks", body: "{", token: admin).status == 400)
        #expect(try env.call("GET", "/api/webhooks", token: admin).items.isEmpty)
        // ATS_WEBHOOK_ALLOW_HTTP lets plain http in.
        let lenient = try APITestEnvironment(backend) { $0.webhookPolicy = WebhookPolicy(allowHTTP: true) }
        let token = try lenient.signedIn("admin@x.io", role: .admin).1
        #expect(try lenient.call("POST", "/api/webhooks", body: #"{"url":"http://93.184.216.34/hook","events":["*"]}"#, token: token).status == 201)
        #expect(try lenient.call("POST", "/api/webhooks", body: #"{"url":"http://127.0.0.1/hook","events":["*"]}"#, token: token).status == 422)
    }

    @Test("ping on create, then events as they happen: signed (verified as a receiver does), with the documented body and headers",
          arguments: Backend.allCases)
    func signedDeliveries(_ backend: Backend) throws {
        let rig = try WebhookRig(backend)
        let (id, secret) = try rig.create(events: #"["job.created","job.updated"]"#)
        #expect(rig.deliver() == 1)
        let ping = try #require(rig.receiver.requests.first)
        #expect(ping.header("ATS-Event-Type") == "ping" && ping.header("User-Agent")?.hasPrefix("ats-webhooks/") == true)
        #expect(ping.header("Content-Type") == "application/json" && ping.path == "/hook")
        let signature = try #require(ping.header("ATS-Signature"))
        #expect(signature.split(separator: ",").filter { $0.hasPrefix("v1=") }.count == 1)
        #expect(try receiverVerifies(secret: secret, header: signature, body: ping.body))
        #expect(try !receiverVerifies(secret: secret + "x", header: signature, body: ping.body))
        #expect(try !receiverVerifies(secret: secret, header: signature, body: ping.body + " "))

        let job = try rig.env.call("POST", "/api/jobs/", body: #"{"title":"Engineer","company":"Acme"}"#, token: rig.admin)
        #expect(job.status == 201)
        // Not subscribed: nothing for a candidate.
        #expect(try rig.env.call("POST", "/api/candidates", body: #"{"email":"c@x.io","full_name":"C"}"#, token: rig.admin).status == 201)
        #expect(rig.deliver() == 1)
        let delivered = try #require(rig.receiver.requests.last)
        let body = try JSONParser.parse(Array(delivered.body.utf8))
        #expect(body["type"] == .string("job.created") && body["tenant"] == .string("default") && body["data"]?["job"]?["title"] == .string("Engineer"))
        #expect(body["data"]?["job"]?["id"] == job["id"] && body["created_at"]?.string.flatMap(Timestamp.init(rfc3339:)) != nil)
        #expect(delivered.header("ATS-Event-ID") == body["id"]?.int.map(String.init) && delivered.header("ATS-Event-Type") == "job.created")
        #expect(try receiverVerifies(secret: secret, header: try #require(delivered.header("ATS-Signature")), body: delivered.body))

        // After a rotation both secrets sign, for 24 h.
        let rotated = try #require(try rig.env.call("POST", "/api/webhooks/\(id)/rotate-secret", token: rig.admin)["secret"]?.string)
        let jobID = try #require(job["id"]?.int)
        #expect(try rig.env.call("PATCH", "/api/jobs/\(jobID)", body: #"{"title":"Senior Engineer"}"#, token: rig.admin).status == 200)
        #expect(rig.deliver() == 1)
        let afterRotation = try #require(rig.receiver.requests.last)
        let header = try #require(afterRotation.header("ATS-Signature"))
        #expect(header.split(separator: ",").filter { $0.hasPrefix("v1=") }.count == 2)
        #expect(try receiverVerifies(secret: secret, header: header, body: afterRotation.body))
        #expect(try receiverVerifies(secret: rotated, header: header, body: afterRotation.body))
        #expect(try JSONParser.parse(Array(afterRotation.body.utf8))["data"]?["job"]?["title"] == .string("Senior Engineer"))

        // The log: three succeeded deliveries, newest first, with the receiver's status.
        let log = try rig.deliveries(id)
        #expect(log.count == 3 && log.allSatisfy { $0["status"] == .string("succeeded") && $0["response_status"]?.int == 200 && $0["attempts"]?.int == 1 })
        #expect(log.map { $0["event_type"]?.string ?? "" } == ["job.updated", "job.created", "ping"])
        #expect(log.allSatisfy { $0["next_attempt_at"] == .null && $0["duration_ms"]?.int != nil })
        let webhook = try rig.webhook(id)
        #expect(webhook["last_success_at"]?.string != nil && webhook["consecutive_failures"]?.int == 0)

        // Redeliver: the same event again, as a new delivery.
        let first = try #require(log.last?["id"]?.int)
        let redelivered = try rig.env.call("POST", "/api/webhooks/\(id)/deliveries/\(first)/redeliver", token: rig.admin)
        #expect(redelivered.status == 202 && redelivered["status"] == .string("pending") && redelivered["event_id"] == log.last?["event_id"])
        #expect(try rig.env.call("POST", "/api/webhooks/\(id)/deliveries/999999/redeliver", token: rig.admin).status == 404)
        #expect(rig.deliver() == 1)
        #expect(rig.receiver.requests.last?.header("ATS-Event-ID") == ping.header("ATS-Event-ID"))
        // Mail's notification log never lists webhook deliveries.
        #expect(try !rig.env.call("GET", "/api/notifications", token: rig.admin).text.contains("job.created"))
    }

    @Test("failures are retried on the schedule (about 1 min, then 5 min), 410 disables at once, 50 failures in a row disable and mail the admins",
          arguments: Backend.allCases)
    func retriesAndDisabling(_ backend: Backend) throws {
        let rig = try WebhookRig(backend)
        try rig.receiver.answer("500")
        let (id, _) = try rig.create()
        let before = Timestamp.now()
        #expect(rig.deliver() == 1)
        var log = try rig.deliveries(id)
        #expect(log.first?["status"] == .string("failed") && log.first?["response_status"]?.int == 500 && log.first?["attempts"]?.int == 1)
        #expect(log.first?["last_error"]?.string?.contains("500") == true)
        let next = try #require(log.first?["next_attempt_at"]?.string.flatMap(Timestamp.init(rfc3339:)))
        let wait = Double(next.microseconds - before.microseconds) / 1e6
        #expect(wait > 45 && wait < 75, "about a minute, with jitter: \(wait)")
        #expect(rig.deliver() == 0, "not due yet")
        #expect(rig.deliver(after: 80) == 1)
        log = try rig.deliveries(id)
        #expect(log.first?["attempts"]?.int == 2 && rig.receiver.requests.count == 2)
        #expect(try rig.webhook(id)["consecutive_failures"]?.int == 2)
        #expect(try rig.webhook(id)["last_failure_at"]?.string != nil)

        // 410: disabled at once (the admins are told); the delivery is dead.
        try rig.receiver.answer("410")
        #expect(rig.deliver(after: 600) == 1)
        #expect(try rig.webhook(id)["active"] == .bool(false))
        #expect(try rig.deliveries(id).first?["status"] == .string("dead"))
        // A disabled webhook gets no new deliveries.
        #expect(try rig.env.call("POST", "/api/jobs/", body: #"{"title":"Quiet","company":"Acme"}"#, token: rig.admin).status == 201)
        #expect(try rig.deliveries(id).count == 1)

        // Turned back on (failures reset), then failing 50 times in a row disables it and
        // mails the tenant's admins.
        try rig.receiver.answer("503")
        #expect(try rig.env.call("PATCH", "/api/webhooks/\(id)", body: #"{"active":true}"#, token: rig.admin)["consecutive_failures"]?.int == 0)
        try rig.env.database.database.transaction(tenant: rig.tenant) { work in
            for _ in 0..<(Webhook.failureLimit - 1) { _ = try work.webhooks.recordAttempt(rig.tenant, id: id, .failed, at: Timestamp.now()) }
        }
        #expect(try rig.webhook(id)["active"] == .bool(true))
        #expect(try rig.env.call("POST", "/api/jobs/", body: #"{"title":"Last straw","company":"Acme"}"#, token: rig.admin).status == 201)
        #expect(rig.deliver() >= 1)
        let disabled = try rig.webhook(id)
        #expect(disabled["active"] == .bool(false) && disabled["consecutive_failures"]?.int == Int64(Webhook.failureLimit))
        let mails = try rig.env.database.database.read(tenant: rig.tenant) {
            try $0.outbox.list(rig.tenant, filter: NotificationFilter(), page: Page(limit: 100, offset: 0)).items
        }.filter { $0.kind == NotificationKind.webhookDisabled.rawValue }
        // One mail for the 410, one for the failures (newest first).
        #expect(mails.map(\.recipient) == ["admin@x.io", "admin@x.io"])
        let mail = try NotificationTemplates.compose(try #require(mails.first), from: MailAddress("jobs@acme.io"), domain: "acme.io")
        #expect(mail.subject.contains("Webhook disabled") && mail.text.contains(rig.receiver.url) && mail.text.contains("delivery attempts failed"))
        let gone = try NotificationTemplates.compose(try #require(mails.last), from: MailAddress("jobs@acme.io"), domain: "acme.io")
        #expect(gone.text.contains("410 Gone"))
        // Deleting the webhook cancels what was still to be sent.
        #expect(try rig.env.call("DELETE", "/api/webhooks/\(id)", token: rig.admin).status == 204)
    }

    @Test("anonymizing a candidate: their events keep only their id, undelivered webhooks about them are cancelled, receivers get candidate.anonymized",
          arguments: Backend.allCases)
    func anonymization(_ backend: Backend) throws {
        let rig = try WebhookRig(backend)
        try rig.receiver.answer("500")
        let (id, _) = try rig.create(events: #"["candidate.created","candidate.updated","candidate.anonymized"]"#)
        let created = try rig.env.call("POST", "/api/candidates", body: #"{"email":"ada@private.io","full_name":"Ada Private"}"#, token: rig.admin)
        let candidate = try #require(created["id"]?.int)
        #expect(try rig.env.call("PATCH", "/api/candidates/\(candidate)", body: #"{"phone":"+44 1234"}"#, token: rig.admin).status == 200)
        rig.deliver()
        #expect(try rig.deliveries(id).filter { $0["status"] == .string("failed") }.count == 3)
        #expect(try rig.env.call("POST", "/api/candidates/\(candidate)/anonymize", token: rig.admin).status == 200)
        let log = try rig.deliveries(id)
        #expect(log.first?["event_type"] == .string("candidate.anonymized") && log.first?["status"] == .string("pending"))
        #expect(log.filter { $0["event_type"]?.string?.hasPrefix("candidate.created") == true || $0["event_type"] == .string("candidate.updated") }
            .allSatisfy { $0["status"] == .string("dead") })
        let stored = try rig.env.database.database.read(tenant: rig.tenant) { work -> String in
            let events = try work.transaction.rows("SELECT payload FROM events WHERE tenant_id = $1", [.int(rig.tenant.rawValue)]) {
                (row: SQLRow) throws(SQLError) -> String in try row.text(0)
            }
            let outbox = try work.transaction.rows("SELECT payload FROM outbox WHERE tenant_id = $1", [.int(rig.tenant.rawValue)]) {
                (row: SQLRow) throws(SQLError) -> String in try row.text(0)
            }
            return (events + outbox).joined(separator: "\n")
        }
        #expect(!stored.contains("ada@private.io") && !stored.contains("Ada Private") && !stored.contains("+44 1234"), "\(stored)")
        try rig.receiver.answer("")
        rig.deliver(after: 80)
        let told = try #require(rig.receiver.requests.last { $0.header("ATS-Event-Type") == "candidate.anonymized" })
        #expect(told.status == 200)
        #expect(try JSONParser.parse(Array(told.body.utf8))["data"] == .object([("candidate_id", .int(candidate))]))
    }

    @Test("the delivery log keeps 30 days: the maintenance sweep removes older finished deliveries, never pending ones; signups are candidate.created",
          arguments: Backend.allCases)
    func logRetention(_ backend: Backend) throws {
        let rig = try WebhookRig(backend)
        let (id, _) = try rig.create(events: #"["candidate.created"]"#)
        rig.deliver()
        try rig.receiver.answer("500")
        #expect(try rig.env.call("POST", "/api/auth/signup", body: #"{"email":"new@x.io","password":"correct horse"}"#).status == 201)
        rig.deliver()
        #expect(try rig.deliveries(id).map { $0["status"]?.string ?? "" } == ["failed", "succeeded"])
        let signup = try JSONParser.parse(Array(try #require(rig.receiver.requests.last).body.utf8))
        #expect(signup["type"] == .string("candidate.created") && signup["data"]?["candidate"]?["email"] == .string("new@x.io"))
        let database = rig.env.database.database
        let maintenance = MaintenanceScheduler(database: database, holder: "test", clock: { Timestamp(microseconds: Timestamp.now().microseconds + 31 * 86_400_000_000) })
        maintenance.runOnce()
        let left = try rig.deliveries(id)
        #expect(left.map { $0["status"]?.string ?? "" } == ["failed"], "the finished ping is gone, the retrying one stays")
    }

    @Test("a receiver with a certificate our CA did not sign gets nothing: the attempt fails with the TLS reason", arguments: [Backend.sqlite])
    func wrongCertificateDelivery(_ backend: Backend) throws {
        let rig = try WebhookRig(backend)
        let stranger = try WebhookReceiver(certificates: try TestCertificates())
        let created = try rig.env.call("POST", "/api/webhooks", body: #"{"url":"\#(stranger.url)","events":["*"]}"#, token: rig.admin)
        let id = try #require(created["id"]?.int)
        #expect(rig.deliver() == 1)
        #expect(stranger.requests.isEmpty)
        let log = try rig.deliveries(id)
        #expect(log.first?["status"] == .string("failed") && log.first?["last_error"]?.string?.contains("TLS handshake") == true)
        #expect(log.first?["response_status"] == .null)
    }
}
