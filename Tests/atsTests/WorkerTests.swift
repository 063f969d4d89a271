import ATSDomain
import ATSSupport
import ATSFeatures
import ATSPersistence
import ATSTestSupport
import Foundation
import Testing

/// A long-running `ats serve` or `ats worker` child process, its log in a file (a pipe
/// nobody drains would block it).
final class ATSDaemon {
    let process = Process()
    let logFile: URL

    init(_ arguments: [String], environment: [String: String]) throws {
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("ats-daemon-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.executableURL = ATSProcess.executable
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: logFile)
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The port from the "listening" line of `ats serve`.
    func port() throws -> Int {
        var port: Int?
        _ = eventually(10) {
            if let range = log.range(of: "\"address\":\"127.0.0.1:") { port = Int(log[range.upperBound...].prefix(while: { $0.isNumber })) }
            return port != nil || !process.isRunning
        }
        guard let port else {
            Issue.record("ats did not start listening: \(log)")
            throw CancellationError()
        }
        return port
    }

    func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM; the exit status.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Polls `condition` every 50 ms for up to `seconds` (a throw counts as not yet).
func eventually(_ seconds: Double, _ condition: () throws -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    repeat {
        if (try? condition()) == true { return true }
        usleep(50_000)
    } while Date() < deadline
    return (try? condition()) == true
}

/// One deployment for a test: a fresh database with a tenant, a recruiter and jobs, a
/// real SMTP sink whose behaviour a control file switches, a redis-server of its own, and
/// the environment `ats serve` and `ats worker` get.
final class NotificationRig {
    let test: TestDatabase
    let fixture: Fixture
    let sink: SMTPSink
    let control: URL
    let redis: RedisServer
    let slug: String
    var environment: [String: String]

    init(_ backend: Backend, redis: Bool = true, maxAttempts: Int = 3) throws {
        test = try TestDatabase(backend)
        slug = "rig\(UInt32.random(in: 0...UInt32.max))"
        fixture = try Fixture.make(test.database, slug: slug)
        control = FileManager.default.temporaryDirectory.appendingPathComponent("ats-sink-control-\(UUID().uuidString)")
        try Data().write(to: control)
        sink = try SMTPSink(["--control", control.path])
        self.redis = try RedisServer()
        environment = [
            "DATABASE_URL": test.url, "SECRET_KEY": "worker-tests-secret-key-of-40-random-bytes", "ATS_PORT": "0", "ATS_THREADS": "1", "ATS_WORKERS": "2",
            "ATS_DEFAULT_TENANT": slug, "SMTP_URL": "smtp://127.0.0.1:\(sink.port)", "MAIL_FROM": "Acme Hiring <jobs@acme.io>",
            "ATS_NOTIFY_LEASE": "2", "ATS_NOTIFY_MAX_ATTEMPTS": String(maxAttempts), "LOG_LEVEL": "info",
        ]
        if redis { environment["REDIS_URL"] = self.redis.url }
    }

    deinit { try? FileManager.default.removeItem(at: control) }

    func sinkMode(_ mode: String) throws { try Data(mode.utf8).write(to: control) }

    func serve() throws -> ATSDaemon { try ATSDaemon(["serve"], environment: environment) }
    func worker(concurrency: Int = 2) throws -> ATSDaemon { try ATSDaemon(["worker", "--concurrency", String(concurrency)], environment: environment) }

    /// A row straight into the outbox, as the API writes it.
    @discardableResult
    func enqueue(_ recipient: String = "cand@x.io") throws -> OutboxMessage {
        let payload = JSONValue.object([("job_title", .string("Dev")), ("company", .string("Acme")), ("candidate_name", .string("Cand")),
                                        ("to_stage", .string("interview"))]).text
        return try test.database.transaction(tenant: fixture.tenant) {
            try $0.outbox.enqueue(fixture.tenant, NewOutboxMessage(kind: "application.stage_changed", recipient: recipient, payload: payload))
        }
    }

    func rows() throws -> [OutboxMessage] {
        try test.database.read(tenant: fixture.tenant) { try $0.outbox.list(fixture.tenant, filter: NotificationFilter(), page: Page(limit: 100, offset: 0)) }.items
    }

    /// Message-ID of every mail the sink stored.
    var messageIDs: [String] {
        sink.messages.compactMap { mail in
            mail.split(separator: "\r\n").first(where: { $0.hasPrefix("Message-ID:") }).map { String($0.dropFirst(11)).trimming(" ") }
        }
    }
}

/// HTTP against a running `ats serve`: JSON in, status and JSON text out.
struct APIClient {
    let port: Int
    var token: String?

    func call(_ method: String, _ path: String, _ body: String? = nil) throws -> WireResponse {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        if let body { request += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        return try TestClient.exchange(port: port, request + "\r\n" + (body ?? ""))
    }

    mutating func login(_ email: String, _ password: String) throws {
        let response = try call("POST", "/api/auth/login", #"{"email":"\#(email)","password":"\#(password)"}"#)
        guard response.status == 200, let range = response.bodyText.range(of: #""access_token":""#) else {
            Issue.record("login failed: \(response.status) \(response.bodyText)")
            throw CancellationError()
        }
        token = String(response.bodyText[range.upperBound...].prefix(while: { $0 != "\"" }))
    }
}

@Suite("Notifications through Redis and ats worker, with real PostgreSQL/SQLite, Redis and SMTP", .serialized, .timeLimit(.minutes(3)))
struct WorkerTests {
    @Test("Redis stopped while requests keep coming: every request succeeds, and every message arrives once after Redis returns",
          arguments: Backend.allCases)
    func redisOutage(_ backend: Backend) throws {
        let rig = try NotificationRig(backend)
        let jobs = try (0..<4).map { try rig.fixture.job("Job \($0)") }
        let serve = try rig.serve()
        let worker = try rig.worker()
        var api = APIClient(port: try serve.port())
        #expect(try api.call("POST", "/api/auth/signup", #"{"email":"ann@x.io","password":"correct horse"}"#).status == 201)
        try api.login("ann@x.io", "correct horse")
        #expect(try api.call("GET", "/readyz").bodyText == #"{"status":"ok","database":"ok","redis":"ok"}"#)

        // Each application: a confirmation to the candidate and an alert to the recruiter.
        #expect(try api.call("POST", "/api/jobs/\(jobs[0].id)/apply", "{}").status == 201)
        #expect(eventually(15) { rig.sink.messages.count == 2 }, "delivered through Redis: \(worker.log)")

        rig.redis.stop()
        for job in jobs.dropFirst() {
            #expect(try api.call("POST", "/api/jobs/\(job.id)/apply", "{}").status == 201)
        }
        let ready = try api.call("GET", "/readyz")
        #expect(ready.status == 200 && ready.bodyText == #"{"status":"degraded","database":"ok","redis":"unavailable"}"#)
        #expect(rig.sink.messages.count == 2, "nothing moves while Redis is down")

        // Redis comes back empty (no persistence): the stream and the group are gone.
        try rig.redis.start()
        #expect(eventually(30) { try rig.sink.messages.count >= 8 && rig.rows().allSatisfy { $0.status == .sent } }, "\(worker.log)")
        usleep(500_000)
        #expect(rig.sink.messages.count == 8)
        #expect(Set(rig.messageIDs).count == 8, "each message exactly once")
        #expect(worker.stop() == 0)
        #expect(serve.stop() == 0)
    }

    @Test("a worker killed with SIGKILL mid-delivery: another reclaims the message and it arrives once", arguments: [Backend.postgres])
    func workerKilledMidDelivery(_ backend: Backend) throws {
        let rig = try NotificationRig(backend)
        try rig.sinkMode("hold")
        let first = try rig.worker()
        let row = try rig.enqueue()
        #expect(eventually(15) { FileManager.default.fileExists(atPath: rig.sink.directory.appendingPathComponent("holding").path) }, "\(first.log)")
        first.killHard()
        try rig.sinkMode("")
        let second = try rig.worker()
        #expect(eventually(30) { (try rig.rows()).first?.status == .sent }, "\(second.log)")
        usleep(500_000)
        #expect(rig.sink.messages.count == 1)
        #expect(rig.messageIDs == ["<outbox-\(rig.fixture.tenant.rawValue)-\(row.id)@acme.io>"])
        #expect(second.log.contains("reclaimed entries of a consumer that stopped"))
        #expect(second.stop() == 0)
    }

    @Test("SMTP refusing for a while: retried, then sent once; refusing forever: dead after the attempt limit, visible in the API",
          arguments: [Backend.postgres])
    func smtpRefusals(_ backend: Backend) throws {
        let rig = try NotificationRig(backend, maxAttempts: 3)
        let admin = try ATSProcess.run(["user", "create", "--tenant", rig.slug, "--email", "boss@x.io", "--role", "admin"],
                                       environment: rig.environment, input: "admin password\n")
        #expect(admin.status == 0, "\(admin.stderr)")
        let worker = try rig.worker()

        try rig.sinkMode("refuse")
        let flaky = try rig.enqueue("flaky@x.io")
        #expect(eventually(15) { (try rig.rows()).first(where: { $0.id == flaky.id })?.attempts == 1 }, "\(worker.log)")
        try rig.sinkMode("")
        #expect(eventually(15) { (try rig.rows()).first(where: { $0.id == flaky.id })?.status == .sent }, "\(worker.log)")
        #expect(rig.sink.messages.count == 1)

        try rig.sinkMode("refuse")
        let doomed = try rig.enqueue("doomed@x.io")
        #expect(eventually(30) { (try rig.rows()).first(where: { $0.id == doomed.id })?.status == .dead }, "\(worker.log)")
        let row = try #require(try rig.rows().first(where: { $0.id == doomed.id }))
        #expect(row.attempts == 3 && row.lastError?.contains("451") == true)

        let serve = try rig.serve()
        var api = APIClient(port: try serve.port())
        try api.login("boss@x.io", "admin password")
        let dead = try api.call("GET", "/api/notifications?status=dead")
        #expect(dead.status == 200)
        #expect(dead.bodyText.contains("\"recipient\":\"doomed@x.io\"") && dead.bodyText.contains("\"attempts\":3") && !dead.bodyText.contains("flaky@x.io"))
        #expect(rig.sink.messages.count == 1)
        #expect(worker.stop() == 0)
        #expect(serve.stop() == 0)
    }

    @Test("embedded delivery (no Redis) across a restart of ats serve: nothing lost, nothing twice")
    func embeddedAcrossRestart() throws {
        let rig = try NotificationRig(.sqlite, redis: false, maxAttempts: 8)
        let job = try rig.fixture.job()
        try rig.sinkMode("refuse")
        let first = try rig.serve()
        var api = APIClient(port: try first.port())
        #expect(try api.call("POST", "/api/auth/signup", #"{"email":"ann@x.io","password":"correct horse"}"#).status == 201)
        try api.login("ann@x.io", "correct horse")
        #expect(try api.call("POST", "/api/jobs/\(job.id)/apply", "{}").status == 201)
        #expect(eventually(15) { try rig.rows().count == 2 && rig.rows().allSatisfy { $0.attempts >= 1 } }, "\(first.log)")
        #expect(first.stop() == 0)

        try rig.sinkMode("")
        let second = try rig.serve()
        _ = try second.port()
        #expect(eventually(20) { (try rig.rows()).allSatisfy { $0.status == .sent } }, "\(second.log)")
        usleep(300_000)
        #expect(rig.sink.messages.count == 2 && Set(rig.messageIDs).count == 2)
        #expect(second.stop() == 0)
    }

    /// Run alone by scripts/test (with ATS_TEST_POSTGRES_RESTART), like the storage one.
    @Test("a PostgreSQL restart under ats worker: it recovers and delivers what comes after",
          .enabled(if: PostgresTestServer.restartCommand != nil))
    func survivesPostgresRestartUnderWorker() throws {
        let restart = try #require(PostgresTestServer.restartCommand)
        let rig = try NotificationRig(.postgres)
        let worker = try rig.worker()
        try rig.enqueue("before@x.io")
        #expect(eventually(15) { rig.sink.messages.count == 1 }, "\(worker.log)")
        #expect(system(restart + " >/dev/null 2>&1 </dev/null") == 0)
        var after: OutboxMessage?
        #expect(eventually(20) { after = try? rig.enqueue("after@x.io"); return after != nil })
        #expect(eventually(30) { rig.sink.messages.count == 2 }, "\(worker.log)")
        #expect(worker.process.isRunning)
        #expect(worker.stop() == 0)
    }
}
