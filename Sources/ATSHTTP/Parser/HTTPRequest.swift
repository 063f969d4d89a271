// The fuzz build (scripts/fuzz) compiles these files in one module with ATSSupport's
// percent decoder, so the import is conditional.
#if canImport(ATSSupport)
import ATSSupport
#endif

/// HTTP versions the server speaks. Anything else is answered with 505.
public enum HTTPVersion: Sendable, Equatable {
    case http1_0
    case http1_1

    public var text: String { self == .http1_0 ? "HTTP/1.0" : "HTTP/1.1" }
}

/// A request head as parsed: the request line and the header fields.
public struct HTTPRequestHead: Sendable {
    public var method: String
    /// The request target as sent (origin-form, or the path of an absolute-form target).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(method: String, target: String, version: HTTPVersion, headers: HTTPHeaders) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// The path part of the target, without the query.
    public var path: Substring {
        // Search the UTF-8 view: Character-wise search costs a grapheme walk per byte.
        if let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) { return target[..<q] }
        return target[...]
    }

    /// The raw query string (after `?`), or nil.
    public var query: Substring? {
        guard let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return target[target.utf8.index(after: q)...]
    }

    /// RFC 9112 §9.3: HTTP/1.1 persists unless `close`; HTTP/1.0 only with `keep-alive`.
    public var keepAlive: Bool {
        let tokens = headers.tokens("Connection")
        switch version {
        case .http1_1: return !tokens.contains("close")
        case .http1_0: return tokens.contains("keep-alive") && !tokens.contains("close")
        }
    }

    /// True when the client sent `Expect: 100-continue`.
    public var expectsContinue: Bool {
        headers.first("Expect").map { asciiCaseInsensitiveEquals(trimOWS($0[...]), "100-continue") } ?? false
    }
}

/// A complete request: head plus the whole body (bodies are bounded by `ATS_MAX_BODY`).
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]

    public init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    public var method: String { head.method }
    public var path: Substring { head.path }
    public var headers: HTTPHeaders { head.headers }

    /// Query parameters, percent-decoded (`+` as space), in order, duplicates kept; nil
    /// when the query string is malformed (a bad escape, not UTF-8, a NUL).
    public var queryItems: [(name: String, value: String)]? {
        guard let query = head.query else { return [] }
        return PercentEncoding.formPairs(query)
    }
}
