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

@Suite("SMTP delivery against a real SMTP server", .serialized, .timeLimit(.minutes(3)))
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

    /// Self-signed certificate and key for `localhost` in a fresh directory.
    private func certificate() throws -> (directory: URL, cert: String, key: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        #expect(system("openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -addext subjectAltName=DNS:localhost -days 1 -keyout \(key) -out \(cert) >/dev/null 2>&1") == 0)
        return (dir, cert, key)
    }

    @Test("STARTTLS: a reply pipelined after '220 go ahead' (injected in plain text) is an error, never read as a TLS reply")
    func startTLSReplyInjection() throws {
        let (dir, cert, key) = try certificate()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try FakeSMTPServer("inject", cert, key)
        #expect {
            try transport("smtp://localhost:\(server.port)", caFile: cert).deliver(message, key: "k")
        } throws: { error in
            (error as? SMTPError)?.description.contains("sent data after its STARTTLS reply") == true
        }
        usleep(200_000)
        #expect(!server.log.contains("MAIL FROM"), "\(server.log)")
        #expect(!server.log.contains("handshake done"), "no TLS session was started on top of the injected bytes")
    }

    @Test("SMTP_REQUIRE_TLS: a server without STARTTLS gets no mail (an error, retried later); without it, mail goes in the clear")
    func requireTLSRefusesPlainText() throws {
        let sink = try SMTPSink()
        var settings = try #require(SMTPSettings(url: "smtp://127.0.0.1:\(sink.port)"))
        settings.timeout = 5
        settings.requireTLS = true
        #expect {
            try SMTPTransport(settings: settings, heloName: "ats.test").deliver(message, key: "k")
        } throws: { error in
            (error as? SMTPError)?.description.contains("did not offer STARTTLS and SMTP_REQUIRE_TLS is on") == true
        }
        #expect(sink.messages.isEmpty)
        // Through the dispatcher: a failed attempt with the reason, to be tried again.
        let test = try TestDatabase(.sqlite)
        let f = try Fixture.make(test.database)
        let payload = JSONValue.object([("job_title", .string("Dev")), ("company", .string("Acme")), ("candidate_name", .string("Cand")), ("to_stage", .string("hired"))]).text
        _ = try test.database.transaction(tenant: f.tenant) {
            try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "application.stage_changed", recipient: "cand@x.io", payload: payload))
        }
        OutboxDispatcher(database: test.database, transport: SMTPTransport(settings: settings, heloName: "ats.test"),
                         from: MailAddress("no-reply@acme.io"), domain: "acme.io", maxAttempts: 5).runOnce(now: .now())
        let row = try #require(try test.database.read(tenant: f.tenant) { try $0.outbox.list(f.tenant, filter: NotificationFilter(), page: Page()) }.items.first)
        #expect(row.attempts == 1 && row.status != .sent && row.status != .dead && row.lastError?.contains("SMTP_REQUIRE_TLS") == true)
        #expect(sink.messages.isEmpty)
        settings.requireTLS = false
        try SMTPTransport(settings: settings, heloName: "ats.test").deliver(message, key: "k")
        #expect(sink.messages.count == 1 && sink.messages.first?.contains("X-TLS: no") == true)
    }

    @Test("a server answering one byte at a time cannot hold a delivery past its deadline (shorter than the lease)")
    func tricklingServerHitsTheDeadline() throws {
        let server = try FakeSMTPServer("trickle")
        var settings = try #require(SMTPSettings(url: "smtp://127.0.0.1:\(server.port)"))
        settings.timeout = 5
        settings.deadline = SMTPSettings.deadline(forLease: 2)
        #expect(settings.deadline < 2)
        let start = Date()
        #expect {
            try SMTPTransport(settings: settings, heloName: "ats.test").deliver(message, key: "k")
        } throws: { error in
            (error as? SMTPError)?.description.contains("deadline") == true
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 1 && elapsed < 2.5, "\(elapsed) s")
    }

    @Test func unreachableServerFailsFast() throws {
        let start = Date()
        #expect(throws: SMTPError.self) { try transport("smtp://127.0.0.1:1").deliver(message, key: "k") }
        #expect(Date().timeIntervalSince(start) < 5)
    }
}

/// A hostile SMTP server on a real socket (Python, one session at a time), for what the
/// aiosmtpd sink will not do. `inject`: offers STARTTLS and sends `220 go ahead` and a
/// second reply in one write, then speaks TLS (cert, key) and accepts everything;
/// `trickle`: answers the greeting one byte every 100 ms for 10 s. What it saw goes to `log`.
final class FakeSMTPServer {
    private let process = Process()
    private let logFile: URL
    let port: Int

    static let script = #"""
    import socket, ssl, sys, time
    mode, log = sys.argv[1], open(sys.argv[2], "a", buffering=1)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    print(f"listening {s.getsockname()[1]}", flush=True)
    while True:
        conn, _ = s.accept()
        try:
            if mode == "trickle":
                for b in b"220 " + b"x" * 100:
                    conn.sendall(bytes([b]))
                    time.sleep(0.1)
                continue
            f = conn.makefile("rb")
            conn.sendall(b"220 fake ESMTP\r\n")
            log.write("C: " + f.readline().decode())
            conn.sendall(b"250-fake\r\n250 STARTTLS\r\n")
            log.write("C: " + f.readline().decode())
            conn.sendall(b"220 go ahead\r\n250 injected\r\n")
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(sys.argv[3], sys.argv[4])
            tls = ctx.wrap_socket(conn, server_side=True)
            log.write("handshake done\n")
            tf = tls.makefile("rb")
            while True:
                line = tf.readline()
                if not line:
                    break
                log.write("C: " + line.decode())
                verb = line[:4].upper()
                if verb == b"DATA":
                    tls.sendall(b"354 go on\r\n")
                    while tf.readline() not in (b".\r\n", b""):
                        pass
                    tls.sendall(b"250 stored\r\n")
                elif verb == b"QUIT":
                    tls.sendall(b"221 bye\r\n")
                    break
                else:
                    tls.sendall(b"250 ok\r\n")
        except Exception as e:
            log.write("error: %r\n" % e)
        finally:
            conn.close()
    """#

    init(_ mode: String, _ tlsFiles: String...) throws {
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("ats-fake-smtp-\(UUID().uuidString).log")
        port = try SMTPSink.launchPython(process, ["-c", FakeSMTPServer.script, mode, logFile.path] + tlsFiles, what: "the fake SMTP server",
                                         stderr: .nullDevice)
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: logFile)
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }
}
