/// A parsed JSON document. Objects keep their members in order (and never hold a key
/// twice: the parser refuses duplicates). Integers that fit 64 bits stay exact.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The member called `key` of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The JSON text (compact, members in order).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The JSON text as UTF-8 bytes: what a response body needs (written by `JSONWriter`).
    public var bytes: [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.value(self)
        return writer.finish()
    }

    /// Appends `s` as a JSON string literal (RFC 8259 §7) to a String (small documents).
    public static func quote(_ s: String, into out: inout String) {
        var writer = JSONWriter(capacity: s.utf8.count + 2)
        writer.string(s)
        out += String(decoding: writer.finish(), as: UTF8.self)
    }
}

/// JSON text helpers for the small documents written without building a `JSONValue`
/// (problem details, log lines); the same escaping as `JSONWriter`.
public enum JSON {
    /// `s` as a JSON string literal (RFC 8259 §7).
    public static func quote(_ s: String) -> String {
        var out = ""
        JSONValue.quote(s, into: &out)
        return out
    }
}
