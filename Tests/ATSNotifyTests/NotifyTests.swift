import ATSDomain
import ATSSupport
import ATSNotify
import ATSOutbox
import ATSRedis
import ATSFeatures
import ATSPersistence
import ATSTestSupport
import Foundation
import Synchronization
import Testing

@Suite("Mail messages and templates")
struct MailMessageTests {
    let from = MailAddress("no-reply@acme.io", name: "Acme ATS")

    private func decodeBase64Part(_ rendered: String, contentType: String) -> String? {
        guard let range = rendered.range(of: "Content-Type: \(contentType); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n") else { return nil }
        let rest = rendered[range.upperBound...]
        let body = rest.prefix(while: { $0 != "-" }).replacingOccurrences(of: "\r\n", with: "")
        return Data(base64Encoded: body).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func rendersHeadersAndBothParts() throws {
        let message = MailMessage(from: from, to: MailAddress("ann@x.io", name: "Ann Müller"), subject: "Ihre Bewerbung: Entwickler (m/w/d) – Zürich",
                                  text: "Hallo Ann,\r\nschön!", html: "<p>schön</p>", date: try #require(Timestamp(rfc3339: "2026-11-24T14:45:17Z")),
                                  messageID: "outbox-1-7@acme.io")
        let rendered = message.rendered()
        #expect(rendered.contains("Date: Tue, 24 Nov 2026 14:45:17 +0000\r\n"))
        #expect(rendered.contains("From: \"Acme ATS\" <no-reply@acme.io>\r\n"))
        #expect(rendered.contains("To: =?UTF-8?B?"), "non-ASCII display names are encoded words")
        #expect(rendered.contains("Subject: =?UTF-8?B?"))
        #expect(rendered.contains("Message-ID: <outbox-1-7@acme.io>\r\n"))
        #expect(rendered.contains("MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="))
        #expect(decodeBase64Part(rendered, contentType: "text/plain") == "Hallo Ann,\r\nschön!")
        #expect(decodeBase64Part(rendered, contentType: "text/html") == "<p>schön</p>")
        for line in rendered.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78, "\(line)") }
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "CRLF line endings only")
        // The encoded subject decodes back.
        let subjectLine = rendered.components(separatedBy: "\r\n").first { $0.hasPrefix("Subject: ") } ?? ""
        let words = subjectLine.dropFirst(9)
        #expect(words.hasPrefix("=?UTF-8?B?") && words.hasSuffix("?="))
        #expect(MailMessage.headerField("Subject", "Plain ASCII subject") == "Subject: Plain ASCII subject")
    }

    /// The header block's lines, and the value of `name` unfolded.
    private func header(_ rendered: String, _ name: String) -> (lines: [String], value: String?) {
        let block = String(rendered[..<(rendered.range(of: "\r\n\r\n")?.lowerBound ?? rendered.endIndex)])
        let unfolded = block.replacingOccurrences(of: "\r\n ", with: " ")
        let field = unfolded.components(separatedBy: "\r\n").first { $0.hasPrefix(name + ": ") }
        return (block.components(separatedBy: "\r\n"), field.map { String($0.dropFirst(name.count + 2)) })
    }

    /// Encoded-words decoded, each on its own (a word that is not whole UTF-8 fails); plain text as it is.
    private func decoded(_ value: some StringProtocol) -> String? {
        guard value.hasPrefix("=?") else { return String(value) }
        var text = ""
        for word in value.split(separator: " ") {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?="), let data = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))),
                  let part = String(data: data, encoding: .utf8) else { return nil }
            text += part
        }
        return text
    }

    @Test("header lines stay within RFC 5322's limits; encoded-words are at most 75 characters, whole UTF-8, never empty")
    func longHeadersAreFolded() throws {
        let cluster = "e" + String(repeating: "\u{301}", count: 700)  // one grapheme cluster of 1401 bytes
        let longASCII = String(repeating: "x", count: 2000)
        let words = (0..<300).map { "word\($0)" }.joined(separator: " ")
        let cases: [(name: String, subject: String)] = [(cluster, "Hello " + cluster), ("Ann", longASCII), ("Ann " + longASCII, words),
                                                        (String(repeating: "Müller ", count: 200), "Grüße " + words), ("Ann", "a  b   c")]
        for (name, subject) in cases {
            let message = MailMessage(from: from, to: MailAddress("ann@x.io", name: name), subject: subject, text: "t", html: "h",
                                      date: .now(), messageID: "outbox-1-7@acme.io")
            let rendered = message.rendered()
            let (lines, subjectValue) = header(rendered, "Subject")
            for line in lines {
                #expect(line.utf8.count <= 78, "\(line.utf8.count): \(line.prefix(80))")
                #expect(!line.contains("=?UTF-8?B??="), "no empty encoded-word")
                #expect(!line.isEmpty && !line.allSatisfy { $0 == " " }, "no whitespace-only line")
                for word in line.split(separator: " ") where word.hasPrefix("=?") { #expect(word.count <= 75) }
            }
            #expect(subjectValue.flatMap(decoded) == subject)
            let to = try #require(header(rendered, "To").value)
            #expect(to.hasSuffix(" <ann@x.io>"))
            let toName = to.dropLast(" <ann@x.io>".count)
            #expect(toName.hasPrefix("\"") ? toName == "\"\(name)\"" : decoded(toName) == name)
        }
        #expect(MailMessage.encodedWords("ü").count == 1 && MailMessage.encodedWords("").isEmpty)
    }

    @Test func parsesMailFrom() {
        #expect(MailAddress(parsing: "ATS <No-Reply@Acme.io>") == MailAddress("no-reply@acme.io", name: "ATS"))
        #expect(MailAddress(parsing: "\"Acme, Inc\" <a@acme.io>") == MailAddress("a@acme.io", name: "Acme, Inc"))
        #expect(MailAddress(parsing: "a@acme.io") == MailAddress("a@acme.io"))
        #expect(MailAddress(parsing: "not an address") == nil)
    }

    private func outbox(_ kind: String, _ payload: JSONValue) -> OutboxMessage {
        OutboxMessage(id: 7, tenantID: TenantID(1), kind: kind, recipient: "ann@x.io", payload: payload.text, status: .pending, attempts: 0,
                      lastError: nil, availableAt: .now(), createdAt: .now(), sentAt: nil)
    }

    @Test("hired and rejected have their own wording; values are HTML-escaped")
    func templates() throws {
        let base: [(key: String, value: JSONValue)] = [("job_title", .string("<script>Dev</script>")), ("company", .string("Acme")),
                                                       ("candidate_name", .string("Ann")), ("from_stage", .string("offer"))]
        let hired = try NotificationTemplates.compose(outbox("application.stage_changed", .object(base + [("to_stage", .string("hired"))])), from: from, domain: "acme.io")
        #expect(hired.subject.hasPrefix("Congratulations! You are hired"))
        #expect(hired.html.contains("&lt;script&gt;") && !hired.html.contains("<script>"))
        let rejected = try NotificationTemplates.compose(outbox("application.stage_changed", .object(base + [("to_stage", .string("rejected"))])), from: from, domain: "acme.io")
        #expect(rejected.subject.hasPrefix("Update on your application") && rejected.text.contains("not to move forward"))
        let moved = try NotificationTemplates.compose(outbox("application.stage_changed", .object(base + [("to_stage", .string("interview"))])), from: from, domain: "acme.io")
        #expect(moved.subject.contains("moved to interview") && moved.text.contains("from offer to interview"))
        let received = try NotificationTemplates.compose(outbox("application.received", .object(base)), from: from, domain: "acme.io")
        #expect(received.subject.hasPrefix("We received your application") && received.messageID == "outbox-1-7@acme.io")
        #expect(throws: NotificationTemplates.UnknownKind.self) { try NotificationTemplates.compose(outbox("mystery", .object([])), from: from, domain: "x") }
    }
}

/// A transport that fails `failures` times, then records what it delivers.
private final class FlakyTransport: MailTransport, Sendable {
    let remaining: Mutex<Int>
    let delivered = Mutex<[String]>([])
    init(failures: Int) { remaining = Mutex(failures) }
    var summary: String { "test" }
    struct Refused: Error, CustomStringConvertible { var description: String { "451 try later" } }
    func deliver(_ message: MailMessage, key: String) throws {
        let fail = remaining.withLock { n -> Bool in
            guard n > 0 else { return false }
            n -= 1
            return true
        }
        if fail { throw Refused() }
        delivered.withLock { $0.append(key) }
    }
}

@Suite("Outbox dispatcher (both adapters)", .timeLimit(.minutes(2)))
struct OutboxDispatcherTests {
    let from = MailAddress("no-reply@acme.io")

    @Test("due rows become .eml files once, and are marked sent", arguments: Backend.allCases)
    func deliversToTheMailDirectory(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let payload = JSONValue.object([("job_title", .string("Dev")), ("company", .string("Acme")), ("candidate_name", .string("Cand"))]).text
        for kind in ["application.received", "application.new_for_job"] {
            _ = try test.database.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: kind, recipient: "c@x.io", payload: payload)) }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-mail-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dispatcher = OutboxDispatcher(database: test.database, transport: try MailDirectoryTransport(directory: directory), from: from, domain: "acme.io")
        #expect(dispatcher.runOnce() == 2)
        let metrics = dispatcher.metrics.render()
        #expect(metrics.contains("ats_notifications_total{result=\"sent\"} 2"))
        #expect(metrics.contains("ats_outbox_messages{status=\"pending\"} 2"), "the backlog as the round began")
        #expect(metrics.contains("ats_notification_delivery_seconds_count 2"))
        #expect(dispatcher.runOnce() == 0, "sent rows are not due again")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".eml") }
        #expect(files.count == 2)
        for file in files {
            let mode = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(file)")[.posixPermissions] as? Int
            #expect(mode == 0o600, "a mail holds personal data: only the service reads it")
        }
        let listed = try test.database.read(tenant: f.tenant) { try $0.outbox.list(f.tenant, filter: NotificationFilter(status: .sent), page: Page()) }
        #expect(listed.total == 2 && listed.items.allSatisfy { $0.attempts == 1 && $0.sentAt != nil })
    }

    @Test("a suspended tenant's mail waits, and goes out once the tenant is active again", arguments: Backend.allCases)
    func suspendedTenantWaits(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let payload = JSONValue.object([("job_title", .string("Dev")), ("company", .string("Acme")), ("candidate_name", .string("Cand"))]).text
        _ = try test.database.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "application.received", recipient: "c@x.io", payload: payload)) }
        _ = try test.database.transaction(tenant: nil) { try $0.tenants.setStatus(id: f.tenant, .suspended) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-mail-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let dispatcher = OutboxDispatcher(database: test.database, transport: try MailDirectoryTransport(directory: directory), from: from, domain: "acme.io")
        #expect(dispatcher.runOnce() == 0)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: directory))?.isEmpty ?? true)
        _ = try test.database.transaction(tenant: nil) { try $0.tenants.setStatus(id: f.tenant, .active) }
        #expect(dispatcher.runOnce() == 1)
    }

    @Test("failures are retried with back-off, then succeed", arguments: Backend.allCases)
    func retriesThenSucceeds(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        _ = try test.database.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "application.received", recipient: "c@x.io", payload: "{}")) }
        let transport = FlakyTransport(failures: 2)
        let dispatcher = OutboxDispatcher(database: test.database, transport: transport, from: from, domain: "acme.io", maxAttempts: 5)
        #expect(dispatcher.runOnce() == 1)
        let failed = try #require(try test.database.read(tenant: f.tenant) { try $0.outbox.list(f.tenant, filter: NotificationFilter(), page: Page()) }.items.first)
        #expect(failed.status == .failed && failed.attempts == 1 && failed.lastError == "451 try later")
        #expect(dispatcher.runOnce() == 0, "not due before its back-off")
        let later = Timestamp(microseconds: Timestamp.now().microseconds + 7_200_000_000)
        #expect(dispatcher.runOnce(now: later) == 1)
        #expect(dispatcher.runOnce(now: later) == 1)
        let sent = try #require(try test.database.read(tenant: f.tenant) { try $0.outbox.list(f.tenant, filter: NotificationFilter(), page: Page()) }.items.first)
        #expect(sent.status == .sent && sent.attempts == 3 && transport.delivered.withLock { $0.count } == 1)
    }

    @Test("a row is dead after the attempt limit, with its last error", arguments: Backend.allCases)
    func deadAfterTheLimit(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        _ = try test.database.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "application.received", recipient: "c@x.io", payload: "{}")) }
        _ = try test.database.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "no.such.kind", recipient: "c@x.io", payload: "{}")) }
        let dispatcher = OutboxDispatcher(database: test.database, transport: FlakyTransport(failures: 100), from: from, domain: "acme.io", maxAttempts: 3)
        var now = Timestamp.now()
        for _ in 0..<5 {
            dispatcher.runOnce(now: now)
            now = Timestamp(microseconds: now.microseconds + 7_200_000_000)
        }
        let dead = try test.database.read(tenant: f.tenant) { try $0.outbox.list(f.tenant, filter: NotificationFilter(status: .dead), page: Page()) }
        #expect(dead.total == 2)
        #expect(dead.items.contains { $0.attempts == 3 && $0.lastError == "451 try later" })
        #expect(dead.items.contains { $0.attempts == 1 && ($0.lastError ?? "").contains("no template") }, "an unknown kind is dead at once")
    }

    @Test func backoffGrowsAndIsCapped() {
        for attempt in 0..<20 {
            let wait = NotificationDelivery.backoff(afterAttempt: attempt)
            let base = min(3600.0, pow(2.0, Double(min(attempt, 12))))
            #expect(wait >= base * 0.5 && wait < base * 1.5)
        }
    }
}

@Suite("Redis stream entries, with a real redis-server", .serialized, .timeLimit(.minutes(1)))
struct StreamEntryTests {
    @Test("a hostile entry (slug ../../etc/x, id 0 or not a number) is acknowledged and logged, never delivered nor used as a file name")
    func hostileEntriesAreDropped() throws {
        let redis = try RedisServer()
        let settings = try #require(RedisSettings(url: redis.url))
        let test = try TestDatabase(.sqlite)
        let f = try Fixture.make(test.database, slug: "acme")
        let payload = JSONValue.object([("job_title", .string("Dev")), ("company", .string("Acme")), ("candidate_name", .string("Cand"))]).text
        let rows = try (0..<2).map { _ in
            try test.database.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "application.received", recipient: "c@x.io", payload: payload)) }
        }
        // ../../etc from the mail directory is base/a/etc, which exists: a path traversal would succeed there.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("ats-stream-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let mail = base.appendingPathComponent("a/b/mail"), etc = base.appendingPathComponent("a/etc")
        try FileManager.default.createDirectory(at: mail, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)

        let layout = OutboxStream()
        let client = RedisClient(settings: settings)
        let tenant = String(f.tenant.rawValue)
        // ("/../../etc/x": the temporary file ./../../etc/x… resolves there too.)
        for fields in [["tenant", tenant, "slug", "/../../etc/x", "id", String(rows[0].id)], ["tenant", tenant, "slug", "../../etc/x", "id", String(rows[0].id)],
                       ["tenant", tenant, "slug", "acme", "id", "0"], ["tenant", tenant, "slug", "acme", "id", "-\(rows[0].id)"],
                       ["tenant", tenant, "slug", "Acme/..", "id", String(rows[0].id)], ["tenant", "0", "slug", "acme", "id", String(rows[0].id)],
                       ["tenant", tenant, "slug", "acme", "id", String(rows[1].id)]] {
            try client.command(["XADD", layout.stream, "*"] + fields)
        }
        let logged = Mutex<[String]>([])
        let delivery = NotificationDelivery(database: test.database, transport: try MailDirectoryTransport(directory: mail.path),
                                            from: MailAddress("no-reply@acme.io"), domain: "acme.io", leaseSeconds: 5)
        let worker = StreamWorker(redis: settings, delivery: delivery, layout: layout, name: "t", concurrency: 1) { message, fields in
            logged.withLock { $0.append(message + " " + fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")) }
        }
        try worker.start()
        defer { worker.stop() }
        let drained = { (try? client.command(["XLEN", layout.stream]).integer) == 0 }
        #expect(eventually(10) { drained() })
        worker.stop()

        let status = try test.database.read(tenant: f.tenant) { try $0.outbox.list(f.tenant, filter: NotificationFilter(), page: Page()) }.items
        #expect(status.first { $0.id == rows[0].id }.map { $0.status == .pending && $0.attempts == 0 } == true, "the hostile entries' row was never claimed")
        #expect(status.first { $0.id == rows[1].id }?.status == .sent)
        #expect(try FileManager.default.contentsOfDirectory(atPath: etc.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: mail.path) == ["acme-\(rows[1].id).eml"])
        #expect(logged.withLock { $0.filter { $0.contains("dropping") }.count } == 6, "\(logged.withLock { $0 })")
        #expect(try client.command(["XPENDING", layout.stream, layout.group]).items?.first?.integer == 0, "all acknowledged")
        // And the .eml transport takes no key that is a path.
        let message = MailMessage(from: MailAddress("a@acme.io"), to: MailAddress("b@x.io"), subject: "s", text: "t", html: "h", date: .now(), messageID: "m@acme.io")
        #expect(throws: MailDirectoryTransport.Failure.self) { try MailDirectoryTransport(directory: mail.path).deliver(message, key: "../../etc/x-1") }
    }

    private func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }
}
