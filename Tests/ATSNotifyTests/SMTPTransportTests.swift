import ATSDomain
import ATSSupport
@testable import ATSNotify
import ATSOutbox
import ATSRedis
import ATSFeatures
import ATSPersistence
import ATSTestSupport
import Foundation
import Testing

@Suite("SMTP delivery against a real SMTP server", .serialized, .timeLimit(.minutes(1)))
struct SMTPTransportTests {
    let message = MailMessage(from: MailAddress("no-reply@acme.io", name: "Acme"), to: MailAddress("ann@x.io"), subject: "Hello Ann",
                              text: "Line one\r\n.leading dot\r\n..two dots\r\n", html: "<p>hi</p>", date: .now(), messageID: "outbox-1-1@acme.io")

    private func transport(_ url: String, caFile: String? = nil) throws -> SMTPTransport {
        var settings = try #require(SMTPSettings(url: url, caFile: caFile))
        settings.timeout = 5
        return SMTPTransport(settings: settings, heloName: "ats.test")
    }

    @Test func parsesSMTPURLs() throws {
        let plain = try #require(SMTPSettings(url: "smtp://mail.example.com"))
        #expect(plain.host == "mail.example.com" && plain.port == 25 && !plain.implicitTLS && plain.username == nil)
        let full = try #require(SMTPSettings(url: "smtps://user%40x:p%3Ass@mail.example.com:2465"))
        #expect(full.port == 2465 && full.implicitTLS && full.username == "user@x" && full.password == "p:ss")
        #expect(SMTPSettings(url: "http://x") == nil && SMTPSettings(url: "smtp://") == nil && SMTPSettings(url: "smtp://h:99999") == nil)
    }

    @Test func deliversWithDotStuffing() throws {
        let sink = try SMTPSink()
        try transport("smtp://127.0.0.1:\(sink.port)").deliver(message, key: "k")
        let stored = try #require(sink.messages.first)
        #expect(stored.contains("X-Envelope-From: no-reply@acme.io") && stored.contains("X-Envelope-To: ann@x.io"))
        #expect(stored.contains("Message-ID: <outbox-1-1@acme.io>"))
        // The server undoes dot-stuffing: the body arrives as written.
        let body = try #require(stored.range(of: "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"))
        let encoded = stored[body.upperBound...].prefix { $0 != "-" }.replacingOccurrences(of: "\r\n", with: "")
        #expect(Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } == message.text)
        #expect(SMTPTransport.dotStuffed(".a\r\n.b\r\nc.\r\n") == "..a\r\n..b\r\nc.\r\n")
    }

    @Test func startTLSAndAuthentication() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        #expect(system("openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -addext subjectAltName=DNS:localhost -days 1 -keyout \(key) -out \(cert) >/dev/null 2>&1") == 0)
        let sink = try SMTPSink(["--tls", cert, key, "--auth", "mailer:s3cret"])
        // Credentials go only over TLS: STARTTLS is offered, taken, verified against our CA.
        try transport("smtp://mailer:s3cret@localhost:\(sink.port)", caFile: cert).deliver(message, key: "k")
        #expect(sink.messages.first?.contains("X-TLS: yes") == true)
        // A certificate we do not trust fails the handshake instead of sending in the clear.
        #expect(throws: SMTPError.self) { try transport("smtp://mailer:s3cret@localhost:\(sink.port)").deliver(message, key: "k") }
        #expect(throws: SMTPError.self) { try transport("smtp://mailer:wrong@localhost:\(sink.port)", caFile: cert).deliver(message, key: "k") }
        #expect(sink.messages.count == 1)
    }

    @Test func refusalIsAnErrorNamingTheReply() throws {
        let sink = try SMTPSink(["--refuse-forever"])
        #expect {
            try transport("smtp://127.0.0.1:\(sink.port)").deliver(message, key: "k")
        } throws: { error in
            (error as? SMTPError)?.description.contains("451") == true
        }
        #expect(sink.messages.isEmpty)
    }

    @Test("outbox → dispatcher → SMTP: a server refusing for a while gets the message after retries, once", arguments: Backend.allCases)
    func dispatcherRetriesThroughSMTP(_ backend: Backend) throws {
        let sink = try SMTPSink(["--refuse", "2"])
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let payload = JSONValue.object([("job_title", .string("Dev")), ("company", .string("Acme")), ("candidate_name", .string("Cand")), ("to_stage", .string("hired"))]).text
        _ = try test.database.transaction(tenant: f.tenant) {
            try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "application.stage_changed", recipient: "cand@x.io", payload: payload))
        }
        let dispatcher = OutboxDispatcher(database: test.database, transport: try transport("smtp://127.0.0.1:\(sink.port)"),
                                          from: MailAddress("no-reply@acme.io"), domain: "acme.io", maxAttempts: 5)
        var now = Timestamp.now()
        for _ in 0..<4 {
            dispatcher.runOnce(now: now)
            now = Timestamp(microseconds: now.microseconds + 7_200_000_000)
        }
        #expect(sink.messages.count == 1)
        #expect(sink.messages.first?.contains("Subject: Congratulations! You are hired: Dev at Acme") == true)
        let row = try #require(try test.database.read(tenant: f.tenant) { try $0.outbox.list(f.tenant, filter: NotificationFilter(), page: Page()) }.items.first)
        #expect(row.status == .sent && row.attempts == 3 && row.lastError == nil)
    }

    @Test func unreachableServerFailsFast() throws {
        let start = Date()
        #expect(throws: SMTPError.self) { try transport("smtp://127.0.0.1:1").deliver(message, key: "k") }
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
