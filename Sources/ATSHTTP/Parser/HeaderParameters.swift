// The fuzz build (scripts/fuzz) compiles these files in one module with ATSSupport's
// percent decoder, so the import is conditional.
#if canImport(ATSSupport)
import ATSSupport
#endif

/// A header value of the form `value; name=token; name="quoted \"string\""` (RFC 9110
/// §5.6.6: media types, RFC 6266 Content-Disposition). Names are lower-cased; a
/// quoted-string is unescaped. Malformed input gives nil, never a guess.
public struct HeaderParameters: Sendable {
    /// The value before the first `;`, trimmed and lower-cased (`multipart/form-data`).
    public let value: String
    public let parameters: [(name: String, value: String)]

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        var i = 0
        func skipOWS() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
        skipOWS()
        let valueStart = i
        while i < bytes.count, bytes[i] != UInt8(ascii: ";") { i += 1 }
        let head = trimOWS(Substring(String(decoding: bytes[valueStart..<i], as: UTF8.self)))
        guard !head.isEmpty, head.utf8.allSatisfy({ isTokenByte($0) || $0 == UInt8(ascii: "/") }) else { return nil }
        value = head.lowercased()
        var parameters: [(name: String, value: String)] = []
        while i < bytes.count {
            i += 1  // the ";"
            skipOWS()
            if i == bytes.count { break }  // a trailing ";" is tolerated
            let nameStart = i
            while i < bytes.count, isTokenByte(bytes[i]) { i += 1 }
            guard i > nameStart, i < bytes.count, bytes[i] == UInt8(ascii: "=") else { return nil }
            let name = String(decoding: bytes[nameStart..<i], as: UTF8.self).lowercased()
            i += 1
            var parameterValue: [UInt8] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < bytes.count {
                    let b = bytes[i]
                    if b == UInt8(ascii: "\"") { closed = true; i += 1; break }
                    if b == UInt8(ascii: "\\") {
                        i += 1
                        guard i < bytes.count else { return nil }
                    }
                    guard bytes[i] >= 0x20 || bytes[i] == 0x09, bytes[i] != 0x7F else { return nil }
                    parameterValue.append(bytes[i])
                    i += 1
                }
                guard closed else { return nil }
            } else {
                let start = i
                while i < bytes.count, isTokenByte(bytes[i]) { i += 1 }
                guard i > start else { return nil }
                parameterValue = Array(bytes[start..<i])
            }
            skipOWS()
            guard i == bytes.count || bytes[i] == UInt8(ascii: ";") else { return nil }
            parameters.append((name, String(decoding: parameterValue, as: UTF8.self)))
        }
        self.parameters = parameters
    }

    /// The first parameter called `name` (lower-case).
    public func parameter(_ name: String) -> String? { parameters.first { $0.name == name }?.value }

    /// An RFC 8187 extended value (`UTF-8''%e2%82%ac%20rates.pdf`), decoded; nil when
    /// malformed or in a charset other than UTF-8.
    public static func extendedValue(_ text: String) -> String? {
        let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, asciiCaseInsensitiveEquals(String(pieces[0]), "utf-8") else { return nil }
        return PercentEncoding.decode(pieces[2])
    }
}
