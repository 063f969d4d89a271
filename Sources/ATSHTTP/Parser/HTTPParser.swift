// The fuzz build (scripts/fuzz) compiles these files in one module with ATSSupport's
// percent decoder, so the import is conditional.
#if canImport(ATSSupport)
import ATSSupport
#endif

/// Limits the parser enforces while it reads, so that no client can make it hold more.
public struct HTTPParserLimits: Sendable {
    public var maxRequestLine: Int
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int
    public var maxBody: Int

    public init(maxRequestLine: Int = 8 * 1024, maxHeaderBytes: Int = 16 * 1024, maxHeaderCount: Int = 100, maxBody: Int = 1 << 20) {
        self.maxRequestLine = maxRequestLine
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBody = maxBody
    }
}

/// An incremental HTTP/1.1 request parser (RFC 9112). Feed it the connection's input
/// buffer as bytes arrive; it consumes what it has parsed, remembers how far it scanned,
/// and reports a head as soon as it is complete (so the server can answer `100 Continue`
/// or refuse an oversized body before reading it), then the complete request.
///
/// It is strict where leniency lets requests be smuggled past a proxy: lines end in
/// CRLF, no obs-fold, no whitespace before a colon, one framing only.
public struct HTTPParser: Sendable {
    public enum Progress: Sendable {
        /// The buffer holds no complete next piece yet.
        case needMore
        /// A head is complete and a body follows; call `parse` again for it.
        case head(HTTPRequestHead)
        /// A whole request; the parser is ready for the next one.
        case request(HTTPRequest)
    }

    private enum State: Sendable {
        case requestLine
        case headers
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
    }

    /// The largest body a request may have, decided from its head (the route it names);
    /// nil keeps `limits.maxBody`. Asked only when a body follows.
    public typealias BodyLimit = @Sendable (HTTPRequestHead) -> Int?

    public let limits: HTTPParserLimits
    private let bodyLimitForHead: BodyLimit?
    /// The current request's body limit (from its head, else `limits.maxBody`).
    private var bodyLimit: Int
    private var state: State = .requestLine
    /// Bytes of the current line already scanned without finding its end.
    private var scanned = 0
    private var headerBytes = 0
    private var headerCount = 0
    private var emptyLinesSkipped = 0
    private var method = ""
    private var target = ""
    private var version = HTTPVersion.http1_1
    private var headers = HTTPHeaders()
    private var body: [UInt8] = []
    private var pendingHead: HTTPRequestHead?

    public init(limits: HTTPParserLimits = HTTPParserLimits(), bodyLimit: BodyLimit? = nil) {
        self.limits = limits
        self.bodyLimitForHead = bodyLimit
        self.bodyLimit = limits.maxBody
    }

    /// The largest body the current request may have (valid once its head is complete).
    public var currentBodyLimit: Int { bodyLimit }

    /// True while no byte of a next request has been consumed.
    public var isIdle: Bool {
        if case .requestLine = state { return scanned == 0 && emptyLinesSkipped == 0 }
        return false
    }

    /// True once the head of the current request is complete and its body is being read.
    public var isReadingBody: Bool {
        switch state {
        case .requestLine, .headers: return false
        default: return true
        }
    }

    /// Body bytes of the current request received so far (decoded, for chunked).
    public var bodyBytesReceived: Int { body.count }

    /// Memory the current request's body occupies: it grows as bytes arrive, never
    /// reserved up front from `Content-Length`.
    public var bodyBytesHeld: Int { body.capacity }

    /// Parses from `buffer[start...]`, advancing `start` past what it consumed.
    public mutating func parse(_ buffer: [UInt8], start: inout Int) throws(HTTPParseError) -> Progress {
        while true {
            switch state {
            case .requestLine:
                guard let end = try findLineEnd(buffer, start, limit: limits.maxRequestLine, tooLong: .requestLineTooLong) else {
                    return .needMore
                }
                if end == start {
                    // RFC 9112 §2.2: ignore at least one empty line before a request line.
                    emptyLinesSkipped += 1
                    if emptyLinesSkipped > 4 { throw .malformedRequestLine }
                    start = end + 2
                    continue
                }
                try parseRequestLine(buffer[start..<end])
                start = end + 2
                state = .headers

            case .headers, .trailers:
                let room = limits.maxHeaderBytes - headerBytes
                guard let end = try findLineEnd(buffer, start, limit: room, tooLong: .headersTooLarge) else { return .needMore }
                headerBytes += end - start + 2
                if headerBytes > limits.maxHeaderBytes { throw .headersTooLarge }
                let line = buffer[start..<end]
                start = end + 2
                let isTrailer: Bool
                if case .trailers = state { isTrailer = true } else { isTrailer = false }
                if line.isEmpty {
                    if isTrailer { return .request(finishRequest()) }
                    if let progress = try finishHead() { return progress }
                    continue
                }
                headerCount += 1
                if headerCount > limits.maxHeaderCount { throw .tooManyHeaders }
                let field = try parseField(line)
                // Trailer fields are read for framing and limits, then dropped: nothing
                // of ours needs them, and merging them into headers invites confusion.
                if !isTrailer { headers.add(field.name, field.value) }

            case .body(let remaining):
                let available = buffer.count - start
                let take = min(available, remaining)
                if take > 0 {
                    reserveBody(needed: body.count + take, total: body.count + remaining)
                    body.append(contentsOf: buffer[start..<(start + take)])
                    start += take
                }
                if take == remaining { return .request(finishRequest()) }
                state = .body(remaining: remaining - take)
                return .needMore

            case .chunkSize:
                guard let end = try findLineEnd(buffer, start, limit: 1024, tooLong: .malformedChunk("chunk size line too long")) else {
                    return .needMore
                }
                let size = try parseChunkSize(buffer[start..<end])
                start = end + 2
                if size == 0 {
                    state = .trailers
                } else {
                    if body.count + size > bodyLimit { throw .bodyTooLarge }
                    state = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                let available = buffer.count - start
                let take = min(available, remaining)
                if take > 0 {
                    reserveBody(needed: body.count + take, total: bodyLimit)
                    body.append(contentsOf: buffer[start..<(start + take)])
                    start += take
                }
                if take < remaining {
                    state = .chunkData(remaining: remaining - take)
                    return .needMore
                }
                state = .chunkDataEnd

            case .chunkDataEnd:
                guard buffer.count - start >= 2 else {
                    if buffer.count - start == 1 && buffer[start] != 0x0D { throw .malformedChunk("chunk data is not followed by CRLF") }
                    return .needMore
                }
                guard buffer[start] == 0x0D, buffer[start + 1] == 0x0A else {
                    throw .malformedChunk("chunk data is not followed by CRLF")
                }
                start += 2
                state = .chunkSize
            }
        }
    }

    // MARK: - Lines

    /// Index of the CR of the CRLF that ends the line starting at `start`, or nil when
    /// the line is incomplete. A bare LF or a CR not followed by LF is an error.
    private mutating func findLineEnd(_ buffer: [UInt8], _ start: Int, limit: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> Int? {
        let from = start + scanned
        let count = buffer.count
        let found: Int? = buffer.withUnsafeBufferPointer { raw in
            var i = from
            while i < count {
                let byte = raw[i]
                if byte == 0x0A || byte == 0x0D { return i }
                i += 1
            }
            return nil
        }
        guard let index = found else {
            scanned = count - start
            if scanned > limit { throw tooLong }
            return nil
        }
        if index - start > limit { throw tooLong }
        if buffer[index] == 0x0A { throw .malformedHeader("a line ends in a bare LF") }
        // A CR: the next byte must be LF, or we wait for it.
        if index + 1 >= count {
            scanned = index - start
            return nil
        }
        guard buffer[index + 1] == 0x0A else { throw .malformedHeader("a bare CR in the header section") }
        scanned = 0
        return index
    }

    // MARK: - Request line

    private mutating func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) {
        // method SP request-target SP HTTP-version, single spaces only.
        guard let firstSpace = line.firstIndex(of: 0x20) else { throw .malformedRequestLine }
        let methodBytes = line[line.startIndex..<firstSpace]
        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: 0x20) else { throw .malformedRequestLine }
        let targetBytes = rest[rest.startIndex..<secondSpace]
        let versionBytes = rest[(secondSpace + 1)...]

        guard !methodBytes.isEmpty, methodBytes.allSatisfy(isTokenByte) else { throw .malformedRequestLine }
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .malformedRequestLine }
        version = try parseVersion(versionBytes)
        method = String(decoding: methodBytes, as: UTF8.self)

        var path = targetBytes
        if path.first == UInt8(ascii: "/") {
            // origin-form
        } else if path.elementsEqual("*".utf8) {
            guard method == "OPTIONS" else { throw .malformedRequestLine }
        } else if let schemeEnd = absoluteFormPathStart(path) {
            // absolute-form (RFC 9112 §3.2.2): route on its path.
            path = schemeEnd < path.endIndex ? path[schemeEnd...] : []
            if path.first != UInt8(ascii: "/") { path = ArraySlice("/".utf8) + path }
        } else {
            throw .malformedRequestLine
        }
        if let hash = path.firstIndex(of: UInt8(ascii: "#")) { path = path[..<hash] }
        target = String(decoding: path, as: UTF8.self)
    }

    private func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        if bytes.elementsEqual("HTTP/1.1".utf8) { return .http1_1 }
        if bytes.elementsEqual("HTTP/1.0".utf8) { return .http1_0 }
        let v = Array(bytes)
        if v.count == 8, v.starts(with: "HTTP/".utf8), isDigit(v[5]), v[6] == UInt8(ascii: "."), isDigit(v[7]) {
            throw .unsupportedVersion
        }
        throw .malformedRequestLine
    }

    /// For `http://host/path` or `https://host/path`, the index where the path begins.
    private func absoluteFormPathStart(_ target: ArraySlice<UInt8>) -> ArraySlice<UInt8>.Index? {
        let lower = target.prefix(8).map { $0 | 0x20 }
        let prefixLength: Int
        if lower.starts(with: "http://".utf8) { prefixLength = 7 } else if lower.starts(with: "https://".utf8) { prefixLength = 8 } else { return nil }
        let authorityStart = target.startIndex + prefixLength
        guard authorityStart < target.endIndex else { return nil }
        return target[authorityStart...].firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) ?? target.endIndex
    }

    // MARK: - Header fields

    private func parseField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPHeaders.Field {
        if line.first == 0x20 || line.first == 0x09 { throw .malformedHeader("obsolete line folding") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformedHeader("a field without a colon") }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty else { throw .malformedHeader("an empty field name") }
        guard name.allSatisfy(isTokenByte) else {
            if name.last == 0x20 || name.last == 0x09 { throw .malformedHeader("whitespace before the colon") }
            throw .malformedHeader("an invalid character in a field name")
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        for byte in value where (byte < 0x20 && byte != 0x09) || byte == 0x7F {
            throw .malformedHeader("a control character in a field value")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    // MARK: - Framing

    /// Decides how the body is framed once the header section ends (RFC 9112 §6).
    private mutating func finishHead() throws(HTTPParseError) -> Progress? {
        let hosts = headers.values("Host")
        if hosts.count > 1 || (version == .http1_1 && hosts.isEmpty) { throw .missingHost }

        for value in headers.values("Transfer-Encoding") {
            guard value.utf8.allSatisfy({ isTokenByte($0) || $0 == UInt8(ascii: ",") || $0 == 0x20 || $0 == 0x09 }) else {
                throw .conflictingFraming("Transfer-Encoding is not a list of tokens")
            }
        }
        let transferCodings = headers.tokens("Transfer-Encoding")
        let lengths = headers.values("Content-Length")
        if !transferCodings.isEmpty {
            if !lengths.isEmpty { throw .conflictingFraming("both Content-Length and Transfer-Encoding") }
            if version == .http1_0 { throw .conflictingFraming("Transfer-Encoding in an HTTP/1.0 request") }
            if transferCodings.contains("") { throw .conflictingFraming("an empty transfer coding") }
            if transferCodings.last != "chunked" {
                if transferCodings.contains("chunked") { throw .conflictingFraming("chunked is not the final transfer coding") }
                throw .unsupportedTransferCoding
            }
            if transferCodings.count > 1 { throw .unsupportedTransferCoding }
            decideBodyLimit()
            state = .chunkSize
            return headReady()
        }

        var length: Int?
        for value in lengths {
            for element in value.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = trimOWS(element)
                guard !digits.isEmpty, digits.utf8.count <= 18, digits.utf8.allSatisfy(isDigit), let n = Int(digits) else {
                    throw .invalidContentLength
                }
                if let previous = length, previous != n { throw .conflictingFraming("different Content-Length values") }
                length = n
            }
        }
        let bodyLength = length ?? 0
        if bodyLength > 0 { decideBodyLimit() }
        if bodyLength > bodyLimit { throw .bodyTooLarge }
        if bodyLength == 0 { return .request(finishRequest()) }
        state = .body(remaining: bodyLength)
        return headReady()
    }

    /// Asks the server for this request's limit (a route may take larger bodies).
    private mutating func decideBodyLimit() {
        bodyLimit = bodyLimitForHead?(HTTPRequestHead(method: method, target: target, version: version, headers: headers)) ?? limits.maxBody
    }

    /// Grows the body's storage geometrically but never past the declared length, so a
    /// body holds at most its `Content-Length` (doubling could hold almost twice that).
    private mutating func reserveBody(needed: Int, total: Int) {
        guard needed > body.capacity else { return }
        body.reserveCapacity(min(total, max(needed, 2 * body.capacity, 4096)))
    }

    private mutating func headReady() -> Progress {
        let head = HTTPRequestHead(method: method, target: target, version: version, headers: headers)
        pendingHead = head
        return .head(head)
    }

    private mutating func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        var size = 0
        var index = line.startIndex
        var digits = 0
        var significant = 0
        while index < line.endIndex, let h = PercentEncoding.hexValue(line[index]) {
            digits += 1
            if size > 0 || h > 0 { significant += 1 }
            if significant > 15 { throw .bodyTooLarge }
            size = size << 4 | Int(h)
            index += 1
        }
        guard digits > 0 else { throw .malformedChunk("a chunk size is not hexadecimal") }
        // Extensions: *( BWS ";" BWS name [ BWS "=" BWS value ] ). We ignore them but
        // insist on their shape, since a lax parse here is a smuggling vector.
        var rest = line[index...]
        while let first = rest.first, first == 0x20 || first == 0x09 { rest = rest.dropFirst() }
        if !rest.isEmpty {
            guard rest.first == UInt8(ascii: ";") else { throw .malformedChunk("junk after the chunk size") }
            var inQuotes = false
            for byte in rest {
                if byte == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
                if inQuotes { if byte < 0x20 && byte != 0x09 || byte == 0x7F { throw .malformedChunk("a bad chunk extension") }; continue }
                guard isTokenByte(byte) || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "=") || byte == 0x20 || byte == 0x09 else {
                    throw .malformedChunk("a bad chunk extension")
                }
            }
            if inQuotes { throw .malformedChunk("an unterminated quoted chunk extension") }
        }
        return size
    }

    private mutating func finishRequest() -> HTTPRequest {
        let head = pendingHead ?? HTTPRequestHead(method: method, target: target, version: version, headers: headers)
        let request = HTTPRequest(head: head, body: body)
        state = .requestLine
        scanned = 0
        headerBytes = 0
        headerCount = 0
        emptyLinesSkipped = 0
        headers = HTTPHeaders()
        body = []
        pendingHead = nil
        bodyLimit = limits.maxBody
        return request
    }
}

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

/// tchar of RFC 9110 §5.6.2.
@inline(__always) func isTokenByte(_ b: UInt8) -> Bool {
    switch b {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
        UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
        UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}
