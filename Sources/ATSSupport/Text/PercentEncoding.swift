/// Percent-decoding (RFC 3986 §2.1) and `application/x-www-form-urlencoded` pairs: the one
/// decoder for path segments, query strings and login forms.
public enum PercentEncoding {
    /// Decodes `%XX` escapes (`+` as space when `plusIsSpace`); nil when an escape is
    /// malformed or the result is not UTF-8.
    public static func decode(_ s: Substring, plusIsSpace: Bool = false) -> String? {
        // Most names and values (`limit=20`) hold nothing to decode.
        if !s.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) { return String(s) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next().flatMap(hexValue), let l = it.next().flatMap(hexValue) else { return nil }
                bytes.append(h << 4 | l)
            } else if plusIsSpace && b == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `name=value&…` decoded, in order, duplicates kept; nil when any escape is
    /// malformed, any text is not UTF-8, or any name or value holds a NUL.
    public static func formPairs(_ text: Substring) -> [(name: String, value: String)]? {
        var items: [(name: String, value: String)] = []
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0], plusIsSpace: true),
                  let value = parts.count > 1 ? decode(parts[1], plusIsSpace: true) : "",
                  !name.unicodeScalars.contains("\u{0}"), !value.unicodeScalars.contains("\u{0}") else { return nil }
            items.append((name, value))
        }
        return items
    }

    /// `%XX` for every UTF-8 byte of `s` that `keep` refuses (by default all but RFC
    /// 3986's unreserved characters), in upper-case hex.
    public static func encode(_ s: String, keeping keep: (UInt8) -> Bool = isUnreserved) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for byte in s.utf8 {
            if keep(byte) { out.append(byte) } else { out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]] }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 §2.3).
    public static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// The value of one hexadecimal digit.
    public static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
