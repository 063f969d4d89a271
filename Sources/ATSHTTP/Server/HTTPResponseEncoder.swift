/// Writes a response head (and a small body) as bytes, without building intermediate
/// Strings: this runs once per request on the event loop, so it avoids allocations.
enum HTTPResponseEncoder {
    private static let statusLines: [Int: [UInt8]] = {
        var table: [Int: [UInt8]] = [:]
        for code in [100, 200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 408, 409, 412, 413, 414, 415, 417, 422, 429, 431, 500, 501, 503, 505] {
            table[code] = Array("HTTP/1.1 \(code) \(HTTPStatus.reason(code))\r\n".utf8)
        }
        return table
    }()

    /// Bodies up to this size travel in the head's buffer; larger ones as their own
    /// `writev` element, uncopied.
    static let inlineBodyLimit = 16 * 1024

    /// Returns the head (with the body appended when small) and the body separately
    /// when it is large.
    static func encode(_ response: HTTPResponse, method: String, version: HTTPVersion, requestID: String, keepAlive: Bool,
                       date: [UInt8], serverName: String) -> (head: [UInt8], largeBody: [UInt8]?) {
        let sendsBody = method != "HEAD" && !HTTPStatus.forbidsBody(response.status)
        let inlineBody = sendsBody && response.body.count <= inlineBodyLimit
        var out: [UInt8] = []
        out.reserveCapacity(192 + (inlineBody ? response.body.count : 0))
        if let line = statusLines[response.status] {
            out.append(contentsOf: line)
        } else {
            out.append(contentsOf: "HTTP/1.1 \(response.status) \(HTTPStatus.reason(response.status))\r\n".utf8)
        }
        append(&out, "Date: ")
        out.append(contentsOf: date)
        append(&out, "\r\nServer: ")
        append(&out, serverName)
        append(&out, "\r\nX-Request-ID: ")
        append(&out, requestID)
        if !HTTPStatus.forbidsBody(response.status) {
            append(&out, "\r\nContent-Length: ")
            appendDecimal(&out, response.body.count)
        }
        for (name, value) in response.headers where !isFramingField(name) {
            append(&out, "\r\n")
            append(&out, name)
            append(&out, ": ")
            append(&out, value)
        }
        if !keepAlive {
            append(&out, "\r\nConnection: close")
        } else if version == .http1_0 {
            append(&out, "\r\nConnection: keep-alive")
        }
        append(&out, "\r\n\r\n")
        if inlineBody {
            out.append(contentsOf: response.body)
            return (out, nil)
        }
        return (out, sendsBody && !response.body.isEmpty ? response.body : nil)
    }

    /// The server owns framing; a handler's own Content-Length, Transfer-Encoding or
    /// Connection would contradict it.
    private static func isFramingField(_ name: String) -> Bool {
        asciiCaseInsensitiveEquals(name, "Content-Length") || asciiCaseInsensitiveEquals(name, "Connection")
            || asciiCaseInsensitiveEquals(name, "Transfer-Encoding")
    }

    @inline(__always)
    private static func append(_ out: inout [UInt8], _ text: String) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    private static func appendDecimal(_ out: inout [UInt8], _ value: Int) {
        if value == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while n > 0 && count < buffer.count {
                buffer[buffer.count - 1 - count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            }
            out.append(contentsOf: buffer[(buffer.count - count)...])
        }
    }
}
