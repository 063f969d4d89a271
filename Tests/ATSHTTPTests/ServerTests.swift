import ATSSupport
@testable import ATSHTTP
import Synchronization
import ATSTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("HTTPServer over real sockets", .serialized, .timeLimit(.minutes(2)))
struct ServerTests {
    init() { raiseOpenFileLimit() }

    @Test func answersAndAddsStandardHeaders() throws {
        let server = try TestServer()
        defer { server.stop() }
        let response = try TestClient.exchange(port: server.port, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-ID: abc-123\r\n\r\n")
        #expect(response.status == 200)
        #expect(response.bodyText == "hello")
        #expect(response.header("X-Request-ID") == "abc-123")
        #expect(response.header("Server") == "ats")
        #expect(response.header("Date")?.hasSuffix("GMT") == true)
        let generated = try TestClient.exchange(port: server.port, "GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-ID: bad id\"\r\n\r\n")
        #expect(generated.header("X-Request-ID").map { $0 != "bad id\"" && !$0.isEmpty } == true)
    }

    @Test("the peer is a structured address: [::1]:port over IPv6 (ATS_HOST=::1), ip:port over IPv4")
    func peerAddressOverIPv6AndIPv4() throws {
        let v6 = try TestServer { $0.host = "::1" }
        defer { v6.stop() }
        let client = try TestClient(port: v6.port, host: "::1")
        try client.send("GET /peer HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.bodyText == "[::1]:\(client.localPort)")
        let v4 = try TestServer()
        defer { v4.stop() }
        let plain = try TestClient(port: v4.port)
        try plain.send("GET /peer HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try plain.readResponse().bodyText == "127.0.0.1:\(plain.localPort)")
    }

    @Test func routerAnswers404And405AsProblemJSON() throws {
        let server = try TestServer()
        defer { server.stop() }
        let missing = try TestClient.exchange(port: server.port, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(missing.status == 404)
        #expect(missing.header("Content-Type") == "application/problem+json")
        #expect(missing.bodyText.contains("\"status\":404"))
        let wrongMethod = try TestClient.exchange(port: server.port, "DELETE /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET, HEAD")
        let slash = try TestClient.exchange(port: server.port, "GET /items/42/ HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(slash.bodyText == "item 42")
        let encoded = try TestClient.exchange(port: server.port, "GET /items/a%20b HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(encoded.bodyText == "item a b")
    }

    @Test func headIsServedByGetWithoutBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try client.readResponse(head: true)
        #expect(head.status == 200)
        #expect(head.header("Content-Length") == "5")
        // The next response starts right after the head: no body bytes were sent.
        #expect(try client.readResponse().bodyText == "hello")
    }

    @Test func handlerErrorsBecome500WithOnlyTheRequestID() throws {
        let server = try TestServer()
        defer { server.stop() }
        let response = try TestClient.exchange(port: server.port, "GET /fail HTTP/1.1\r\nHost: x\r\nX-Request-ID: rid-1\r\n\r\n")
        #expect(response.status == 500)
        #expect(response.bodyText.contains("rid-1"))
        #expect(!response.bodyText.contains("TestFailure"))
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        for i in 0..<20 {
            try client.send("GET \(i % 2 == 0 ? "/hello" : "/blocking") HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Connection") == nil)
        }
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try client.readResponse().header("Connection") == "close")
        #expect(client.isClosedByPeer())
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
        let server = try TestServer()
        defer { server.stop() }
        let plain = try TestClient(port: server.port)
        try plain.send("GET /hello HTTP/1.0\r\n\r\n")
        #expect(try plain.readResponse().header("Connection") == "close")
        #expect(plain.isClosedByPeer())
        let kept = try TestClient(port: server.port)
        try kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().header("Connection") == "keep-alive")
        try kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().status == 200)
    }

    @Test func pipelinedResponsesComeBackInOrder() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        var batch = ""
        for n in 0..<6 { batch += "GET /seq/\(n) HTTP/1.1\r\nHost: x\r\n\r\nGET /items/\(n) HTTP/1.1\r\nHost: x\r\n\r\n" }
        try client.send(batch)
        for n in 0..<6 {
            #expect(try client.readResponse().bodyText == "seq \(n)")
            #expect(try client.readResponse().bodyText == "item \(n)")
        }
    }

    @Test func chunkedBodiesAreDecoded() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n")
        usleep(20_000)
        try client.send("5;note=1\r\npedia\r\n0\r\nTrailer: yes\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyText == "Wikipedia")
    }

    @Test func expectContinueGets100BeforeTheBody() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        try client.send("hello")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyText == "hello")

        let tooBig = try TestClient(port: server.port)
        try tooBig.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\nExpect: 100-continue\r\n\r\n")
        #expect(try tooBig.readResponse().status == 413)  // refused before any body is sent
        #expect(tooBig.isClosedByPeer())

        let unknown = try TestClient(port: server.port)
        try unknown.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: magic\r\n\r\n")
        #expect(try unknown.readResponse().status == 417)
        let unknownWithoutBody = try TestClient(port: server.port)
        try unknownWithoutBody.send("GET /hello HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n")
        #expect(try unknownWithoutBody.readResponse().status == 417)
    }

    @Test("malformed requests get their status and a closed connection", arguments: malformedRequests)
    func malformedRequestsOverTheWire(_ entry: MalformedRequest) throws {
        let server = try TestServer { $0.limits.maxBody = 1024 }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send(entry.wire)
        let response = try client.readResponse()
        #expect(response.status == entry.status, "\(entry.name)")
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.header("Connection") == "close")
        #expect(client.isClosedByPeer(), "\(entry.name): connection left open")
    }

    @Test func oversizedBodyIsRefusedBeforeItIsRead() throws {
        let server = try TestServer { $0.limits.maxBody = 1000 }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
        let start = monotonicSeconds()
        #expect(try client.readResponse().status == 413)
        #expect(monotonicSeconds() - start < 1)
        let exact = try TestClient.exchange(port: server.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + String(repeating: "a", count: 1000))
        #expect(exact.status == 200)
    }

    @Test func slowClientIsCutOffWhileOthersAreServed() throws {
        let server = try TestServer { $0.headerTimeout = 1 }
        defer { server.stop() }
        let slow = try TestClient(port: server.port)
        try slow.send("GET /hello HTTP/1.1\r\n")
        let start = monotonicSeconds()
        // A parallel client is answered quickly while the slow one dawdles.
        for _ in 0..<5 {
            let t0 = monotonicSeconds()
            let response = try TestClient.exchange(port: server.port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(response.status == 200)
            #expect(monotonicSeconds() - t0 < 0.1)
            try slow.send("X")  // one byte at a time does not extend the deadline
            usleep(100_000)
        }
        let response = try slow.readResponse()
        #expect(response.status == 408)
        #expect(slow.isClosedByPeer())
        let elapsed = monotonicSeconds() - start
        #expect(elapsed >= 0.9 && elapsed < 2)
    }

    @Test func silentConnectionIsClosedAfterTheHeaderTimeout() throws {
        let server = try TestServer { $0.headerTimeout = 0.5 }
        defer { server.stop() }
        let silent = try TestClient(port: server.port)
        let start = monotonicSeconds()
        #expect(silent.isClosedByPeer())
        #expect(monotonicSeconds() - start < 1.5)
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let server = try TestServer { $0.idleTimeout = 0.5 }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try client.readResponse()
        let start = monotonicSeconds()
        #expect(client.isClosedByPeer())
        #expect(monotonicSeconds() - start < 1.5)
    }

    @Test func stalledBodyTimesOut() throws {
        let server = try TestServer { $0.bodyTimeout = 0.5 }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        #expect(try client.readResponse().status == 408)
        #expect(client.isClosedByPeer())
    }

    @Test("a body trickled a byte at a time (never idle for bodyTimeout) is cut off by the minimum rate")
    func tricklingBodyIsCutOff() throws {
        let server = try TestServer {
            $0.bodyTimeout = 1
            $0.bodyMinimumRate = 100
        }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        let start = monotonicSeconds()
        var answered = false
        while !answered && monotonicSeconds() - start < 5 {
            try client.send("x")  // one byte every 0.3 s: the inactivity timeout alone never fires
            var ready = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
            answered = poll(&ready, 1, 300) == 1
        }
        #expect(answered, "the trickling body was still being read after 5 s")
        let elapsed = monotonicSeconds() - start
        #expect(try client.readResponse().status == 408)
        #expect(elapsed >= 1 && elapsed < 2.5, "\(elapsed)")
        #expect(client.isClosedByPeer())
    }

    @Test("bodies are reserved as they arrive, within a server-wide budget: past it 503 with Retry-After, not more memory")
    func bodyBudgetIsServerWide() throws {
        let server = try TestServer {
            $0.limits.maxBody = 256 * 1024
            $0.maxBufferedBodies = 300 * 1024
        }
        defer { server.stop() }
        let head = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(250 * 1024)\r\n\r\n"
        let part = String(repeating: "a", count: 200 * 1024)
        // Announcing a large body reserves nothing yet.
        let announced = try (0..<20).map { _ in try TestClient(port: server.port) }
        for client in announced { try client.send(head) }
        usleep(100_000)
        #expect(server.server.metrics.bufferedBodyBytes == 0)
        announced.forEach { $0.shutdownWrite() }
        // One body of 200 KiB fits; a second would pass 300 KiB.
        let first = try TestClient(port: server.port)
        try first.send(head + part)
        usleep(100_000)
        #expect(server.server.metrics.bufferedBodyBytes >= 200 * 1024)
        let second = try TestClient(port: server.port)
        try second.send(head + part)
        let refused = try second.readResponse()
        #expect(refused.status == 503 && refused.header("Retry-After") == "2")
        #expect(second.isClosedByPeer())
        #expect(server.server.metrics.refusedBodies == 1)
        // The first goes on, and once answered its bytes are given back.
        try first.send(String(repeating: "a", count: 50 * 1024))
        #expect(try first.readResponse().body.count == 250 * 1024)
        // Given back once the response is written: wait for it (a loaded machine is slow).
        for _ in 0..<100 where server.server.metrics.bufferedBodyBytes != 0 { usleep(20_000) }
        #expect(server.server.metrics.bufferedBodyBytes == 0)
        let again = try TestClient.exchange(port: server.port, head + part + String(repeating: "a", count: 50 * 1024))
        #expect(again.status == 200, "\(again.status) \(again.header("Retry-After") ?? "")")
    }

    @Test func thousandConcurrentConnections() throws {
        let server = try TestServer()
        defer { server.stop() }
        var clients: [TestClient] = []
        for _ in 0..<1000 { clients.append(try TestClient(port: server.port)) }
        for client in clients { try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") }
        var ok = 0
        for client in clients where try client.readResponse().status == 200 { ok += 1 }
        #expect(ok == 1000)
        #expect(server.server.metrics.openConnections == 1000)
    }

    @Test func connectionsPastTheLimitAreClosedWithoutHurtingOthers() throws {
        let server = try TestServer { $0.maxConnections = 3 }
        defer { server.stop() }
        let kept = try (0..<3).map { _ in try TestClient(port: server.port) }
        for client in kept { try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") }
        for client in kept { #expect(try client.readResponse().status == 200) }
        let extra = try TestClient(port: server.port)
        #expect(extra.isClosedByPeer())
        #expect(server.server.metrics.rejectedConnections == 1)
        for client in kept {
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func clientThatDoesNotReadIsThrottled() throws {
        let server = try TestServer { $0.maxPendingOutput = 64 * 1024 }
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        // 4,000 pipelined requests of 15 KB each (60 MB) asking for 64 KiB each (250 MiB),
        // never reading. Once the server's output backs up it must stop reading, so our
        // sends stall when the kernel buffers are full instead of the server buffering all.
        let request = Array("GET /big/64 HTTP/1.1\r\nHost: x\r\nX-Pad: \(String(repeating: "p", count: 15_000))\r\n\r\n".utf8)
        client.setTimeout(1)
        var sent = 0
        do {
            for _ in 0..<4000 {
                try client.send(request)
                sent += 1
            }
        } catch TestClientError.timeout {}
        #expect(sent < 4000, "the server kept reading while its output was backed up")
        #expect(sent > 10)
        // Reading resumes the flow: responses arrive complete and in order.
        client.setTimeout(5)
        for _ in 0..<20 { #expect(try client.readResponse().body.count == 64 * 1024) }
    }

    @Test("requests pipelined while a worker has the one before wait their turn, and come back in order")
    func pipelinedBehindABusyWorker() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send("GET /sleep/300 HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(50_000)
        // The connection still listens while the worker sleeps (no epoll_ctl per request);
        // what arrives meanwhile is buffered up to a bound (64 KiB), then left in the kernel.
        let pad = String(repeating: "p", count: 2_000)
        var batch = ""
        for n in 0..<200 { batch += "GET /seq/\(n % 5) HTTP/1.1\r\nHost: x\r\nX-Pad: \(pad)\r\n\r\n" }
        try client.send(batch)
        #expect(try client.readResponse().status == 200)
        for n in 0..<200 { #expect(try client.readResponse().bodyText == "seq \(n % 5)") }
    }

    @Test func fullWorkerQueueAnswers503WithRetryAfter() throws {
        let server = try TestServer {
            $0.workers = 1
            $0.workerQueue = 1
        }
        defer { server.stop() }
        let busy = try TestClient(port: server.port)
        try busy.send("GET /sleep/500 HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(50_000)
        let queued = try TestClient(port: server.port)
        try queued.send("GET /sleep/1 HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(50_000)
        let refused = try TestClient.exchange(port: server.port, "GET /blocking HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "1")
        #expect(try busy.readResponse().status == 200)
        #expect(try queued.readResponse().status == 200)
        // Inline routes never wait for the pool.
        #expect(try TestClient.exchange(port: server.port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
    }

    @Test func gracefulShutdownFinishesInFlightRequests() throws {
        let server = try TestServer()
        let inFlight = try TestClient(port: server.port)
        try inFlight.send("GET /sleep/300 HTTP/1.1\r\nHost: x\r\n\r\n")
        let idle = try TestClient(port: server.port)
        try idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try idle.readResponse()
        usleep(50_000)
        let port = server.port
        let start = monotonicSeconds()
        let done = Atomic<Bool>(false)
        let stopper = try OSThread(name: "test-stop") {
            server.stop()
            done.store(true, ordering: .releasing)
        }
        let response = try inFlight.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyText == "slept")
        #expect(response.header("Connection") == "close")
        #expect(idle.isClosedByPeer())
        stopper.join()
        let finished = done.load(ordering: .acquiring)
        #expect(finished)
        #expect(monotonicSeconds() - start < 2)
        #expect(throws: (any Error).self) { try TestClient(port: port) }
    }

    @Test func shutdownForceClosesAfterTheTimeout() throws {
        let server = try TestServer { $0.shutdownTimeout = 0.5 }
        let stuck = try TestClient(port: server.port)
        try stuck.send("GET /sleep/3000 HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(50_000)
        let start = monotonicSeconds()
        server.stop()
        #expect(monotonicSeconds() - start < 1)
        #expect(stuck.isClosedByPeer())
    }

    @Test func halfClosedClientStillGetsItsAnswer() throws {
        let server = try TestServer()
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send("GET /blocking HTTP/1.1\r\nHost: x\r\n\r\n")
        client.shutdownWrite()
        #expect(try client.readResponse().status == 200)
        #expect(client.isClosedByPeer())
    }

    @Test func metricsCountRequestsByRoute() throws {
        let server = try TestServer()
        defer { server.stop() }
        _ = try TestClient.exchange(port: server.port, "GET /items/7 HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try TestClient.exchange(port: server.port, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        let text = server.server.metrics.render()
        #expect(text.contains("http_requests_total{method=\"GET\",route=\"/items/{id}\",status=\"200\"} 1"))
        #expect(text.contains("http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"))
        #expect(text.contains("http_request_duration_seconds_count{route=\"/items/{id}\"} 1"))
        #expect(text.contains("http_connections_open"))
        server.server.metrics.addCollector { "app_things_total 3\n" }
        #expect(server.server.metrics.render().hasSuffix("app_things_total 3\n"))
    }

    @Test("hostile method tokens over real sockets: each counted as other, /metrics stays small")
    func unknownMethodsDoNotGrowMetrics() throws {
        let server = try TestServer()
        defer { server.stop() }
        let long = String(repeating: "M", count: 2000)
        for i in 0..<200 {
            _ = try TestClient.exchange(port: server.port, "\(long)\(i) /items/7 HTTP/1.1\r\nHost: x\r\n\r\n")
        }
        let text = server.server.metrics.render()
        #expect(!text.contains(long), "no method token is kept as a label")
        #expect(text.utf8.count < 8192, "200 unique methods must not grow the exposition (\(text.utf8.count) bytes)")
        #expect(text.contains(#"method="other""#))
    }
}
