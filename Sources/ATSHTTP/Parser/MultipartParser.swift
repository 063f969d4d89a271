/// Limits on a `multipart/form-data` body beyond its size (which the route's body limit
/// bounds): so that no body makes the parser build many small parts or long headers.
public struct MultipartLimits: Sendable {
    public var maxParts: Int
    /// Bytes of one part's header section.
    public var maxHeaderBytes: Int
    public var maxHeaderCount: Int

    public init(maxParts: Int = 16, maxHeaderBytes: Int = 4096, maxHeaderCount: Int = 8) {
        self.maxParts = maxParts
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
    }
}

public struct MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One part of a `multipart/form-data` body: its header fields, the form field it
/// carries, and where its content lies in the body (not copied: a file part of an upload
/// stays in the request's buffer).
public struct MultipartPart: Sendable {
    public let headers: HTTPHeaders
    /// `name` of its `Content-Disposition: form-data`.
    public let name: String
    /// `filename*` (RFC 8187, UTF-8) when given and valid, else `filename`.
    public let filename: String?
    public let contentType: String?
    public let content: Range<Int>
}

/// A `multipart/form-data` parser (RFC 7578 over RFC 2046's multipart syntax), for a
/// body already in memory. Strict where it matters (every part has a
/// `Content-Disposition: form-data` with a name, the close delimiter must come) and
/// tolerant where RFC 2046 says to be (preamble, epilogue, transport padding, LF-only
/// line ends are not accepted: CRLF as in HTTP).
public enum MultipartParser {
    /// The boundary of a `multipart/form-data` Content-Type, or nil when the type is
    /// another or the boundary is missing or invalid (1–70 characters, RFC 2046 §5.1.1).
    public static func boundary(contentType: String) -> String? {
        guard let parsed = HeaderParameters(contentType), parsed.value == "multipart/form-data",
              let boundary = parsed.parameter("boundary"), (1...70).contains(boundary.utf8.count),
              boundary.utf8.allSatisfy({ isBoundaryByte($0) }), boundary.utf8.last != 0x20 else { return nil }
        return boundary
    }

    private static func isBoundaryByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return Array("'()+_,-./:=? ".utf8).contains(b)
        }
    }

    public static func parse(_ body: [UInt8], boundary: String, limits: MultipartLimits = MultipartLimits()) throws(MultipartError) -> [MultipartPart] {
        let dashBoundary = Array("--\(boundary)".utf8)
        let delimiter = [0x0D, 0x0A] + dashBoundary
        // The first boundary may open the body (no CRLF before it); else it follows a preamble.
        var position: Int
        if body.starts(with: dashBoundary) {
            position = dashBoundary.count
        } else if let found = find(delimiter, in: body, from: 0) {
            position = found + delimiter.count
        } else {
            throw MultipartError("the body holds no boundary line")
        }
        var parts: [MultipartPart] = []
        while true {
            // After a delimiter: "--" closes; else optional padding, then CRLF.
            if position + 2 <= body.count, body[position] == UInt8(ascii: "-"), body[position + 1] == UInt8(ascii: "-") {
                guard !parts.isEmpty else { throw MultipartError("the body has no parts") }
                return parts
            }
            while position < body.count, body[position] == 0x20 || body[position] == 0x09 { position += 1 }
            guard position + 2 <= body.count, body[position] == 0x0D, body[position + 1] == 0x0A else {
                throw MultipartError("a boundary line does not end in CRLF")
            }
            position += 2
            guard parts.count < limits.maxParts else { throw MultipartError("more than \(limits.maxParts) parts") }
            let (headers, contentStart) = try partHeaders(body, from: position, limits: limits)
            guard let end = nextDelimiter(delimiter, in: body, from: contentStart) else { throw MultipartError("the closing boundary is missing") }
            parts.append(try part(headers, content: contentStart..<end))
            position = end + delimiter.count
        }
    }

    /// The part's header fields and where its content starts (after the empty line).
    private static func partHeaders(_ body: [UInt8], from start: Int, limits: MultipartLimits) throws(MultipartError) -> (HTTPHeaders, Int) {
        var headers = HTTPHeaders()
        var lineStart = start
        while true {
            let window = min(body.count, start + limits.maxHeaderBytes)
            guard let end = find([0x0D, 0x0A], in: body, from: lineStart, until: window) else {
                throw MultipartError(window - start >= limits.maxHeaderBytes ? "a part's header section is too large" : "a part's header section does not end")
            }
            let line = body[lineStart..<end]
            lineStart = end + 2
            if line.isEmpty { return (headers, lineStart) }
            guard headers.count < limits.maxHeaderCount else { throw MultipartError("a part has too many header fields") }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy(isTokenByte) else { throw MultipartError("a malformed part header field") }
            let value = line[(colon + 1)...]
            guard value.allSatisfy({ ($0 >= 0x20 || $0 == 0x09) && $0 != 0x7F }) else { throw MultipartError("a control character in a part header") }
            headers.add(String(decoding: line[line.startIndex..<colon], as: UTF8.self), trimOWS(Substring(String(decoding: value, as: UTF8.self))))
        }
    }

    private static func part(_ headers: HTTPHeaders, content: Range<Int>) throws(MultipartError) -> MultipartPart {
        guard headers.values("Content-Disposition").count == 1, let disposition = headers.first("Content-Disposition").flatMap(HeaderParameters.init),
              disposition.value == "form-data", let name = disposition.parameter("name") else {
            throw MultipartError("a part lacks Content-Disposition: form-data with a name")
        }
        let filename = disposition.parameter("filename*").flatMap(HeaderParameters.extendedValue) ?? disposition.parameter("filename")
        guard headers.values("Content-Type").count <= 1 else { throw MultipartError("a part has two Content-Type fields") }
        return MultipartPart(headers: headers, name: name, filename: filename, contentType: headers.first("Content-Type"), content: content)
    }

    /// The next delimiter line: CRLF--boundary followed by `--`, or by optional padding
    /// and CRLF. Text that only starts like one (`--boundaryX`) is content (RFC 2046
    /// forbids it there, but a lenient reading loses nothing).
    private static func nextDelimiter(_ delimiter: [UInt8], in body: [UInt8], from start: Int) -> Int? {
        var from = start
        while let found = find(delimiter, in: body, from: from) {
            var i = found + delimiter.count
            if i + 1 < body.count, body[i] == UInt8(ascii: "-"), body[i + 1] == UInt8(ascii: "-") { return found }
            while i < body.count, body[i] == 0x20 || body[i] == 0x09 { i += 1 }
            if i + 1 < body.count, body[i] == 0x0D, body[i + 1] == 0x0A { return found }
            from = found + 1
        }
        return nil
    }

    /// The index of the first occurrence of `needle` in `haystack[from..<until]`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int, until: Int? = nil) -> Int? {
        let end = until ?? haystack.count
        guard let first = needle.first, end - from >= needle.count, from >= 0 else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin in
                var i = from
                let last = end - pin.count
                while i <= last {
                    if hay[i] == first {
                        var j = 1
                        while j < pin.count && hay[i + j] == pin[j] { j += 1 }
                        if j == pin.count { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }
}
