@testable import ATSHTTP
import ATSTestSupport
import Testing

/// Per-route body limits: a route may declare a larger limit than the server's default;
/// both are enforced from the head (Content-Length) before a byte of the body is read,
/// and while a chunked body arrives.
@Suite("Per-route body limits", .timeLimit(.minutes(2)))
struct BodyLimitTests {
    private func server() throws -> TestServer {
        try TestServer { $0.limits.maxBody = 1000 }
    }

    @Test func aRouteTakesItsOwnLimitOthersKeepTheDefault() throws {
        let server = try server()
        defer { server.stop() }
        let body = String(repeating: "u", count: 3000)
        let upload = try TestClient.exchange(port: server.port, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n" + body)
        #expect(upload.status == 200)
        // The body holds what was declared, never a doubling past it.
        let counts = upload.bodyText.split(separator: " ").compactMap { Int($0) }
        #expect(counts.first == 3000 && (counts.last ?? 0) < 3000 + 64, "\(upload.bodyText)")
        #expect(try TestClient.exchange(port: server.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n" + body).status == 413)
        #expect(try TestClient.exchange(port: server.port, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n"
                                        + String(repeating: "u", count: 4000)).status == 200)
    }

    @Test func tooLargeIsRefusedFromTheHeadBeforeTheBodyIsSent() throws {
        let server = try server()
        defer { server.stop() }
        for (path, length) in [("/upload", 4001), ("/echo", 1001), ("/nowhere", 1001)] {
            let client = try TestClient(port: server.port)
            // Only the head: the answer must come without the body.
            try client.send("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: \(length)\r\n\r\n")
            let start = monotonicSeconds()
            let response = try client.readResponse()
            #expect(response.status == 413, "\(path)")
            #expect(monotonicSeconds() - start < 2)
            #expect(response.header("Connection") == "close")
        }
        // Expect: 100-continue gets the 413 instead of the go-ahead.
        let waiting = try TestClient(port: server.port)
        try waiting.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n")
        #expect(try waiting.readResponse().status == 413)
    }

    @Test func aChunkedBodyIsCutOffMidStream() throws {
        let server = try server()
        defer { server.stop() }
        let client = try TestClient(port: server.port)
        try client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = "3e8\r\n" + String(repeating: "c", count: 1000) + "\r\n"
        for _ in 0..<4 { try client.send(chunk) }  // 4000: at the limit
        try client.send(chunk)  // 5000: past it
        #expect(try client.readResponse().status == 413)

        let within = "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: chunk, count: 4) + "0\r\n\r\n"
        let ok = try TestClient.exchange(port: server.port, within)
        #expect(ok.status == 200 && ok.bodyText.hasPrefix("4000 "))
        let echo = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: chunk, count: 2) + "0\r\n\r\n"
        #expect(try TestClient.exchange(port: server.port, echo).status == 413)
    }

    @Test func theRouterReportsLimits() {
        var router = Router()
        router.add("POST", "/files/{id}", maxBody: 5000) { _, _ in HTTPResponse() }
        router.post("/other") { _, _ in HTTPResponse() }
        #expect(router.bodyLimit(method: "POST", path: "/files/7") == 5000)
        #expect(router.bodyLimit(method: "POST", path: "/other") == nil)
        #expect(router.bodyLimit(method: "PUT", path: "/files/7") == nil)
        #expect(router.largestBodyLimit == 5000)
    }
}
