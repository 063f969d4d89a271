/// Parses one HTTP/1.1 response from bytes as they arrive: the status line, headers, then
/// the body by `Content-Length`, `chunked`, or until the connection closes. Every part
/// is bounded (head size, header count, body size), and anything malformed is an error,
/// never a guess. Self-contained (no imports) so `scripts/fuzz http-response` builds it alone.
public struct HTTPResponseParser {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public struct Response: Equatable {
        public var status: Int
        public var reason: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public static func == (a: Response, b: Response) -> Bool {
            a.status == b.status && a.reason == b.reason && a.body == b.body
                && a.headers.map(\.name) == b.headers.map(\.name) && a.headers.map(\.value) == b.headers.map(\.value)
        }
    }

    private enum BodyMode { case length(Int), chunked, untilClose, none }
    private enum State { case head, body(BodyMode), chunkSize, chunkData(Int), chunkDataEnd, trailers, done }

    public let maxHead: Int
    public let maxBody: Int
    public let maxHeaders: Int
    /// HEAD responses and the like carry no body whatever they say.
    public let expectsBody: Bool
    private var buffer: [UInt8] = []
    private var state = State.head
    private var response = Response(status: 0, reason: "", headers: [], body: [])

    public init(maxHead: Int = 16 * 1024, maxBody: Int = 64 * 1024, maxHeaders: Int = 100, expectsBody: Bool = true) {
        self.maxHead = maxHead
        self.maxBody = maxBody
        self.maxHeaders = maxHeaders
        self.expectsBody = expectsBody
    }

    /// Feeds bytes; returns the response once it is complete (later bytes are ignored).
    public mutating func feed(_ bytes: ArraySlice<UInt8>) throws(Failure) -> Response? {
        if case .done = state { return response }
        buffer.append(contentsOf: bytes)
        return try advance()
    }

    /// The peer closed the connection: the response, when a body read until close was
    /// complete; an error when it was cut short.
    public mutating func finish() throws(Failure) -> Response {
        switch state {
        case .done: return response
        case .body(.untilClose):
            response.body.append(contentsOf: buffer)
            buffer.removeAll()
            state = .done
            return response
        default: throw Failure("the connection closed before the response was complete")
        }
    }

    private mutating func advance() throws(Failure) -> Response? {
        while true {
            switch state {
            case .done:
                return response
            case .head:
                guard let end = find([13, 10, 13, 10]) else {
                    if buffer.count > maxHead { throw Failure("response head too large") }
                    return nil
                }
                guard end + 4 <= maxHead else { throw Failure("response head too large") }
                let head = Array(buffer[0..<end])
                buffer.removeFirst(end + 4)
                let mode = try parseHead(head)
                // 1xx interim responses are skipped (100 Continue), the final one follows.
                if (100...199).contains(response.status) {
                    response = Response(status: 0, reason: "", headers: [], body: [])
                    continue
                }
                state = .body(mode)
            case .body(let mode):
                switch mode {
                case .none:
                    state = .done
                case .length(let length):
                    guard buffer.count >= length else { return nil }
                    response.body = Array(buffer[0..<length])
                    buffer.removeAll()
                    state = .done
                case .chunked:
                    state = .chunkSize
                case .untilClose:
                    if buffer.count > maxBody { throw Failure("response body larger than \(maxBody) bytes") }
                    return nil
                }
            case .chunkSize:
                guard let line = try takeLine() else { return nil }
                let sizeText = line.prefix { $0 != UInt8(ascii: ";") }
                guard !sizeText.isEmpty, sizeText.count <= 8, let size = Self.hex(sizeText) else { throw Failure("malformed chunk size") }
                if size == 0 {
                    state = .trailers
                } else {
                    guard response.body.count + size <= maxBody else { throw Failure("response body larger than \(maxBody) bytes") }
                    state = .chunkData(size)
                }
            case .chunkData(let size):
                guard buffer.count >= size else { return nil }
                response.body.append(contentsOf: buffer[0..<size])
                buffer.removeFirst(size)
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard buffer.count >= 2 else { return nil }
                guard buffer[0] == 13 && buffer[1] == 10 else { throw Failure("malformed chunk end") }
                buffer.removeFirst(2)
                state = .chunkSize
            case .trailers:
                guard let line = try takeLine() else { return nil }
                if line.isEmpty { state = .done }
            }
        }
    }

    /// A CRLF-terminated line (without it), or nil when it has not all arrived.
    private mutating func takeLine() throws(Failure) -> [UInt8]? {
        guard let end = find([13, 10]) else {
            if buffer.count > 4096 { throw Failure("response line too long") }
            return nil
        }
        let line = Array(buffer[0..<end])
        buffer.removeFirst(end + 2)
        return line
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        var i = 0
        while i <= buffer.count - needle.count {
            var match = true
            for j in 0..<needle.count where buffer[i + j] != needle[j] {
                match = false
                break
            }
            if match { return i }
            i += 1
        }
        return nil
    }

    private mutating func parseHead(_ head: [UInt8]) throws(Failure) -> BodyMode {
        var lines = head.split(separator: 10, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            line.last == 13 ? line.dropLast() : line
        }
        guard !lines.isEmpty else { throw Failure("empty response") }
        let statusLine = lines.removeFirst()
        // HTTP/1.x SP 3DIGIT [SP reason]
        guard statusLine.count >= 12, statusLine.starts(with: Array("HTTP/1.".utf8)),
              statusLine[statusLine.startIndex + 7] == UInt8(ascii: "0") || statusLine[statusLine.startIndex + 7] == UInt8(ascii: "1"),
              statusLine[statusLine.startIndex + 8] == 32 else { throw Failure("malformed status line") }
        let digits = statusLine[(statusLine.startIndex + 9)..<(statusLine.startIndex + 12)]
        guard digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw Failure("malformed status code") }
        let status = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        guard (100...599).contains(status) else { throw Failure("status code out of range") }
        if statusLine.count > 12 && statusLine[statusLine.startIndex + 12] != 32 { throw Failure("malformed status line") }
        response.status = status
        response.reason = String(decoding: statusLine.dropFirst(13), as: UTF8.self)
        guard lines.count <= maxHeaders else { throw Failure("too many response headers") }
        var length: Int?
        var chunked = false
        for line in lines {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { throw Failure("malformed response header") }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(Self.isTokenByte) else { throw Failure("malformed response header name") }
            let value = Self.trim(line[(colon + 1)...])
            guard value.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else { throw Failure("malformed response header value") }
            let nameText = String(decoding: name, as: UTF8.self)
            let valueText = String(decoding: value, as: UTF8.self)
            response.headers.append((nameText, valueText))
            switch nameText.lowercased() {
            case "content-length":
                guard !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw Failure("malformed Content-Length") }
                let parsed = value.reduce(0) { $0 * 10 + Int($1 - 48) }
                if let length, length != parsed { throw Failure("conflicting Content-Length headers") }
                length = parsed
            case "transfer-encoding":
                // Only `chunked` (last) is understood; anything else cannot be framed.
                guard valueText.lowercased().split(separator: ",").last?.trimmingSpaces == "chunked" else {
                    throw Failure("unsupported Transfer-Encoding")
                }
                chunked = true
            default:
                break
            }
        }
        if !expectsBody || status == 204 || status == 304 || (100...199).contains(status) { return .none }
        if chunked {
            // Both: the length is not to be trusted (request smuggling's classic).
            if length != nil { throw Failure("both Content-Length and Transfer-Encoding") }
            return .chunked
        }
        if let length {
            guard length <= maxBody else { throw Failure("response body larger than \(maxBody) bytes") }
            return .length(length)
        }
        return .untilClose
    }

    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }

    private static func trim(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 32 || first == 9 { slice = slice.dropFirst() }
        while let last = slice.last, last == 32 || last == 9 { slice = slice.dropLast() }
        return slice
    }

    private static func hex(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for b in bytes {
            let digit: Int
            switch b {
            case 48...57: digit = Int(b - 48)
            case 97...102: digit = Int(b - 87)
            case 65...70: digit = Int(b - 55)
            default: return nil
            }
            value = value * 16 + digit
        }
        return value
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
