@testable import ATSHTTP
import ATSTestSupport
import Testing

/// Feeds `chunks` to one parser as if they arrived one read at a time; returns the
/// requests it produced, or the error it threw.
private func parse(chunks: [[UInt8]], limits: HTTPParserLimits = HTTPParserLimits()) -> Result<[HTTPRequest], HTTPParseError> {
    var parser = HTTPParser(limits: limits)
    var buffer: [UInt8] = []
    var start = 0
    var requests: [HTTPRequest] = []
    do {
        for chunk in chunks {
            buffer.append(contentsOf: chunk)
            loop: while true {
                switch try parser.parse(buffer, start: &start) {
                case .needMore: break loop
                case .head: continue
                case .request(let request): requests.append(request)
                }
            }
        }
    } catch {
        return .failure(error)
    }
    return .success(requests)
}

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

struct Fixture: CustomTestStringConvertible, Sendable {
    let name: String
    let wire: String
    let expected: [(method: String, target: String, body: String, headerCount: Int)]
    var testDescription: String { name }
}

let validFixtures: [Fixture] = [
    Fixture(name: "simple GET", wire: "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", expected: [("GET", "/healthz", "", 1)]),
    Fixture(name: "HTTP/1.0 without Host", wire: "GET / HTTP/1.0\r\n\r\n", expected: [("GET", "/", "", 0)]),
    Fixture(name: "query and duplicate headers", wire: "GET /a?b=1&c=%20 HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\n",
            expected: [("GET", "/a?b=1&c=%20", "", 3)]),
    Fixture(name: "content-length body", wire: "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
            expected: [("POST", "/echo", "hello world", 2)]),
    Fixture(name: "chunked with extension and trailer",
            wire: "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=\"v\"\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
            expected: [("POST", "/echo", "hello world", 2)]),
    Fixture(name: "pipelined pair", wire: "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok",
            expected: [("GET", "/1", "", 1), ("POST", "/2", "ok", 2)]),
    Fixture(name: "leading empty line", wire: "\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n", expected: [("GET", "/x", "", 1)]),
    Fixture(name: "absolute-form target", wire: "GET http://example.com/p?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n",
            expected: [("GET", "/p?q=1", "", 1)]),
    Fixture(name: "equal duplicate content-length", wire: "POST /e HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nhi",
            expected: [("POST", "/e", "hi", 3)]),
    Fixture(name: "chunk size with leading zeros", wire: "POST /e HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000000002\r\nok\r\n0\r\n\r\n",
            expected: [("POST", "/e", "ok", 2)]),
    Fixture(name: "absolute-form without a path", wire: "GET http://a?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", expected: [("GET", "/?x=1", "", 1)]),
    Fixture(name: "OWS around values", wire: "GET / HTTP/1.1\r\nHost:   a  \r\nAccept:\t*/*\t\r\n\r\n", expected: [("GET", "/", "", 2)]),
]

@Suite("HTTPParser")
struct HTTPParserTests {
    @Test("parses every fixture whole, split at every point, and byte by byte", arguments: validFixtures)
    func parsesAtEverySplitPoint(_ fixture: Fixture) throws {
        let wire = bytes(fixture.wire)
        var splits: [[[UInt8]]] = [[wire], wire.map { [$0] }]
        for i in 1..<wire.count { splits.append([Array(wire[0..<i]), Array(wire[i...])]) }
        for chunks in splits {
            let requests = try parse(chunks: chunks).get()
            #expect(requests.count == fixture.expected.count)
            for (request, expected) in zip(requests, fixture.expected) {
                #expect(request.method == expected.method)
                #expect(request.head.target == expected.target)
                #expect(String(decoding: request.body, as: UTF8.self) == expected.body)
                #expect(request.headers.count == expected.headerCount)
            }
        }
    }

    @Test func headersKeepDuplicatesAndIgnoreCase() throws {
        let request = try #require(try parse(chunks: [bytes("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\n")]).get().first)
        #expect(request.headers.values("X-A") == ["1", "2"])
        #expect(request.headers["host"] == "a")
    }

    @Test func keepAliveRules() throws {
        func keepAlive(_ wire: String) throws -> Bool { try #require(try parse(chunks: [bytes(wire)]).get().first).head.keepAlive }
        #expect(try keepAlive("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(try !keepAlive("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"))
        #expect(try !keepAlive("GET / HTTP/1.0\r\n\r\n"))
        #expect(try keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"))
    }

    @Test func reportsHeadBeforeBody() throws {
        var parser = HTTPParser()
        var start = 0
        let buffer = bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        guard case .head(let head) = try parser.parse(buffer, start: &start) else {
            Issue.record("expected the head first")
            return
        }
        #expect(head.expectsContinue)
        #expect(parser.isReadingBody)
        guard case .needMore = try parser.parse(buffer, start: &start) else {
            Issue.record("expected to wait for the body")
            return
        }
    }

    @Test func queryItemsArePercentDecoded() throws {
        let request = try #require(try parse(chunks: [bytes("GET /x?q=a+b%21&q=2&empty HTTP/1.1\r\nHost: a\r\n\r\n")]).get().first)
        let items = try #require(request.queryItems)
        #expect(items.map(\.name) == ["q", "q", "empty"])
        #expect(items.map(\.value) == ["a b!", "2", ""])
    }

    @Test("rejects malformed input with the right status", arguments: malformedRequests)
    func rejectsMalformed(_ entry: MalformedRequest) {
        let limits = HTTPParserLimits(maxBody: 1024)
        switch parse(chunks: [bytes(entry.wire)], limits: limits) {
        case .success(let requests):
            Issue.record("parsed \(requests.count) request(s) from \(entry.name)")
        case .failure(let error):
            #expect(error.status == entry.status, "\(entry.name): \(error)")
        }
    }

    @Test func limitErrorsComeBeforeTheWholeLineArrives() {
        // 414 as soon as more than 8 KiB of request line is buffered, without its end.
        let longLine = "GET /" + String(repeating: "a", count: 9000)
        guard case .failure(let error) = parse(chunks: [bytes(longLine)]) else {
            Issue.record("expected an error")
            return
        }
        #expect(error == .requestLineTooLong)
        let manyHeaders = "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-Big: " + String(repeating: "v", count: 1000) + "\r\n", count: 17)
        guard case .failure(let headerError) = parse(chunks: [bytes(manyHeaders)]) else {
            Issue.record("expected an error")
            return
        }
        #expect(headerError == .headersTooLarge)
    }
}

struct MalformedRequest: CustomTestStringConvertible, Sendable {
    let name: String
    let wire: String
    let status: Int
    var testDescription: String { name }
}

/// Each of these must get its status and a closed connection (see ServerTests too).
let malformedRequests: [MalformedRequest] = [
    MalformedRequest(name: "Content-Length with Transfer-Encoding",
                     wire: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
    MalformedRequest(name: "differing duplicate Content-Length", wire: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", status: 400),
    MalformedRequest(name: "Content-Length list with different values", wire: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd", status: 400),
    MalformedRequest(name: "negative Content-Length", wire: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", status: 400),
    MalformedRequest(name: "signed Content-Length", wire: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", status: 400),
    MalformedRequest(name: "huge Content-Length", wire: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", status: 400),
    MalformedRequest(name: "gzip transfer coding", wire: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", status: 501),
    MalformedRequest(name: "gzip then chunked", wire: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", status: 501),
    MalformedRequest(name: "chunked not last", wire: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", status: 400),
    MalformedRequest(name: "Transfer-Encoding in HTTP/1.0", wire: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
    MalformedRequest(name: "bad chunk size", wire: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400),
    MalformedRequest(name: "chunk size with junk", wire: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n", status: 400),
    MalformedRequest(name: "bad chunk extension", wire: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a\u{1}\r\nhello\r\n0\r\n\r\n", status: 400),
    MalformedRequest(name: "chunk without CRLF after data", wire: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", status: 400),
    MalformedRequest(name: "oversized chunk", wire: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n401\r\n", status: 413),
    MalformedRequest(name: "chunk size overflow", wire: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", status: 413),
    MalformedRequest(name: "obs-fold", wire: "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n", status: 400),
    MalformedRequest(name: "bare CR in a header", wire: "GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n", status: 400),
    MalformedRequest(name: "bare LF line ending", wire: "GET / HTTP/1.1\nHost: a\n\n", status: 400),
    MalformedRequest(name: "whitespace before colon", wire: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", status: 400),
    MalformedRequest(name: "NUL in a header value", wire: "GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", status: 400),
    MalformedRequest(name: "header without colon", wire: "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", status: 400),
    MalformedRequest(name: "missing Host on 1.1", wire: "GET / HTTP/1.1\r\n\r\n", status: 400),
    MalformedRequest(name: "two Host headers", wire: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
    MalformedRequest(name: "garbage request line", wire: "HELLO\r\n\r\n", status: 400),
    MalformedRequest(name: "double space in request line", wire: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
    MalformedRequest(name: "space in target", wire: "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
    MalformedRequest(name: "relative target", wire: "GET a HTTP/1.1\r\nHost: a\r\n\r\n", status: 400),
    MalformedRequest(name: "HTTP/2.0", wire: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", status: 505),
    MalformedRequest(name: "lower-case version", wire: "GET / http/1.1\r\nHost: a\r\n\r\n", status: 400),
    MalformedRequest(name: "request line over 8 KiB", wire: "GET /" + String(repeating: "a", count: 8200) + " HTTP/1.1\r\nHost: a\r\n\r\n", status: 414),
    MalformedRequest(name: "101 header fields", wire: "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X: 1\r\n", count: 100) + "\r\n", status: 431),
    MalformedRequest(name: "header section over 16 KiB", wire: "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 16400) + "\r\n\r\n", status: 431),
    MalformedRequest(name: "non-ASCII look-alike of chunked (KELVIN SIGN)",
                     wire: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun\u{212A}ed\r\n\r\n0\r\n\r\n", status: 400),
    MalformedRequest(name: "body over the limit", wire: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1025\r\n\r\n", status: 413),
]
