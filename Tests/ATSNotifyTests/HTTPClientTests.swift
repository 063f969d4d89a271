import ATSNet
import ATSSupport
import ATSTestSupport
import Foundation
import Testing

@Suite("HTTP client: SSRF checks, TLS verification, timeouts, response parsing", .serialized, .timeLimit(.minutes(2)))
struct HTTPClientTests {
    /// Every class of address a webhook may not reach, as literals (IPv6 in brackets).
    static let refused: [(host: String, class: String)] = [
        ("127.0.0.1", "loopback"), ("127.255.0.9", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.254", "private"),
        ("192.168.1.1", "private"), ("169.254.169.254", "link-local"), ("100.64.0.1", "CGNAT"), ("100.127.255.254", "CGNAT"),
        ("224.0.0.1", "multicast"), ("239.255.255.250", "multicast"), ("0.0.0.0", "unspecified"), ("255.255.255.255", "broadcast"),
        ("[::1]", "loopback"), ("[::]", "unspecified"), ("[fc00::1]", "private"), ("[fd12:3456::1]", "private"), ("[fe80::1]", "link-local"),
        ("[ff02::1]", "multicast"), ("[::ffff:127.0.0.1]", "loopback"), ("[::ffff:10.0.0.1]", "private"), ("[::ffff:169.254.169.254]", "link-local"),
        ("[::ffff:100.64.0.1]", "CGNAT"), ("[64:ff9b::7f00:1]", "loopback"), ("[2002:a9fe:a9fe::1]", "link-local"), ("[::127.0.0.1]", "loopback"),
    ]

    @Test("each refused address class is refused before any connection; public addresses pass", arguments: refused)
    func refusedClasses(_ entry: (host: String, class: String)) throws {
        let client = HTTPClient()
        let url = try #require(HTTPClientURL("https://\(entry.host)/hook"))
        #expect(throws: HTTPClient.Failure.self) { try client.checkedAddresses(url) }
        do {
            _ = try client.send(to: url, headers: [], body: [])
            Issue.record("\(entry.host) was not refused")
        } catch {
            #expect(error.kind == .refusedAddress)
            #expect(error.description.contains("a \(entry.class) address"), "\(error.description)")
        }
    }

    @Test("public addresses are allowed; a name resolving to 127.0.0.1 (localhost) is refused; ATS_WEBHOOK_ALLOW_PRIVATE lets it through")
    func publicAndNames() throws {
        let client = HTTPClient()
        for host in ["93.184.216.34", "8.8.8.8", "[2606:4700:4700::1111]", "[::ffff:8.8.8.8]"] {
            let url = try #require(HTTPClientURL("https://\(host)/"))
            #expect(try client.checkedAddresses(url).count == 1, "\(host)")
        }
        let localhost = try #require(HTTPClientURL("https://localhost:9/hook"))
        #expect { try client.checkedAddresses(localhost) } throws: { ($0 as? HTTPClient.Failure)?.kind == .refusedAddress }
        var settings = HTTPClient.Settings()
        settings.allowPrivate = true
        #expect(try !HTTPClient(settings: settings).checkedAddresses(localhost).isEmpty)
    }

    @Test("URLs: http(s) only, no user info, no fragment, ports in range, the request target kept")
    func urls() throws {
        let url = try #require(HTTPClientURL("https://Hooks.Example.com:8443/a/b?x=1"))
        #expect(url.isHTTPS && url.host == "hooks.example.com" && url.port == 8443 && url.target == "/a/b?x=1" && url.hostHeader == "hooks.example.com:8443")
        #expect(HTTPClientURL("http://example.com")?.target == "/")
        #expect(HTTPClientURL("http://example.com")?.port == 80)
        #expect(HTTPClientURL("https://[::1]:444/x")?.host == "::1")
        for bad in ["ftp://example.com/", "https://user:pw@example.com/", "https://example.com/#frag", "https://example.com:0/", "https://example.com:70000/",
                    "https:///nohost", "https://exa mple.com/", "example.com/hook", "https://[::1/", "https://a:b:c/"] {
            #expect(HTTPClientURL(bad) == nil, "\(bad)")
        }
    }

    private func loopbackClient(ca: String?, total: Double = 5) -> HTTPClient {
        var settings = HTTPClient.Settings()
        settings.allowPrivate = true
        settings.caFile = ca
        settings.totalTimeout = total
        return HTTPClient(settings: settings)
    }

    @Test("HTTPS to a receiver whose certificate our test CA signed: verified, SNI and Host sent, body received")
    func verifiedTLS() throws {
        let certificates = try TestCertificates()
        let receiver = try WebhookReceiver(certificates: certificates)
        let client = loopbackClient(ca: certificates.caFile)
        let url = try #require(HTTPClientURL(receiver.url))
        let response = try client.send(to: url, headers: [("Content-Type", "application/json"), ("X-Test", "1")], body: Array(#"{"a":1}"#.utf8))
        #expect(response.status == 200 && response.body == Array("{}".utf8))
        let request = try #require(receiver.requests.first)
        #expect(request.body == #"{"a":1}"# && request.header("X-Test") == "1" && request.header("Host") == "localhost:\(receiver.port)")
    }

    @Test("a certificate from another CA, or for another name, is refused (no request is made)")
    func wrongCertificates() throws {
        let ours = try TestCertificates()
        let theirs = try TestCertificates()
        let stranger = try WebhookReceiver(certificates: theirs)
        let url = try #require(HTTPClientURL(stranger.url))
        #expect { try loopbackClient(ca: ours.caFile).send(to: url, headers: [], body: []) } throws: {
            ($0 as? HTTPClient.Failure)?.description.contains("TLS handshake with localhost failed") == true
        }
        // Signed by our CA, but for another name than the one connected to.
        let misnamed = try TestCertificates(names: "DNS:other.example")
        let wrongName = try WebhookReceiver(certificates: misnamed)
        #expect { try loopbackClient(ca: misnamed.caFile).send(to: try #require(HTTPClientURL(wrongName.url)), headers: [], body: []) } throws: {
            ($0 as? HTTPClient.Failure)?.description.contains("TLS handshake") == true
        }
        // Without our CA (the system's only), the test CA is unknown.
        #expect(throws: HTTPClient.Failure.self) { try loopbackClient(ca: nil).send(to: url, headers: [], body: []) }
        #expect(stranger.requests.isEmpty && wrongName.requests.isEmpty)
    }

    @Test("a redirect is an answer, not followed; a receiver that holds the request is cut off at the deadline")
    func redirectsAndDeadline() throws {
        let receiver = try WebhookReceiver(certificates: nil)
        try receiver.answer("redirect")
        let url = try #require(HTTPClientURL(receiver.url))
        let response = try loopbackClient(ca: nil).send(to: url, headers: [], body: [])
        #expect(response.status == 302 && response.header("location") == "/elsewhere")
        #expect(receiver.requests.count == 1)
        try receiver.answer("hold")
        let started = MonotonicClock.seconds()
        #expect { try loopbackClient(ca: nil, total: 1).send(to: url, headers: [], body: []) } throws: {
            ($0 as? HTTPClient.Failure)?.description.contains("deadline") == true
        }
        #expect(MonotonicClock.seconds() - started < 3)
        try receiver.answer("")
    }

    @Test("the response parser: lengths, chunks, close-delimited, 1xx skipped, and every malformed or oversized form refused")
    func parser() throws {
        func parse(_ text: String, max: Int = 100, close: Bool = false) throws -> HTTPResponseParser.Response? {
            var parser = HTTPResponseParser(maxBody: max)
            // Byte at a time: framing must not depend on how reads split.
            for byte in Array(text.utf8) { if let done = try parser.feed([byte][...]) { return done } }
            return close ? try parser.finish() : nil
        }
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")?.body == Array("ok".utf8))
        #expect(try parse("HTTP/1.1 204 No Content\r\n\r\n")?.status == 204)
        #expect(try parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")?.status == 201)
        #expect(try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;x=y\r\nab\r\n1\r\nc\r\n0\r\nT: 1\r\n\r\n")?.body == Array("abc".utf8))
        #expect(try parse("HTTP/1.0 200 OK\r\n\r\nuntil close", close: true)?.body == Array("until close".utf8))
        #expect(try parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab") == nil)
        for bad in ["HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 X\r\n\r\n", "http/1.1 200 OK\r\n\r\n",
                    "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
                    "HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc", "HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n",
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n"] {
            #expect(throws: HTTPResponseParser.Failure.self, "\(bad.debugDescription)") { _ = try parse(bad) }
        }
        #expect(throws: HTTPResponseParser.Failure.self) { _ = try parse("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 101), close: true) }
        #expect(throws: HTTPResponseParser.Failure.self) { _ = try parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", close: true) }
        #expect(throws: HTTPResponseParser.Failure.self) { _ = try parse("HTTP/1.1 200 OK\r\n" + String(repeating: "X-A: b\r\n", count: 3000)) }
    }
}
