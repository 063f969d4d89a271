/// Header fields in arrival order. Duplicates are kept (a proxy's `Set-Cookie`, a
/// smuggler's second `Content-Length`); lookups ignore ASCII case without allocating.
public struct HTTPHeaders: Sendable, Sequence {
    public typealias Field = (name: String, value: String)
    private var fields: [Field] = []

    public init() {}
    public init(_ fields: [Field]) { self.fields = fields }

    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Replaces every field called `name` by one with `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name, value))
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { asciiCaseInsensitiveEquals($0.name, name) }
    }

    public subscript(name: String) -> String? { first(name) }

    public func first(_ name: String) -> String? {
        for field in fields where asciiCaseInsensitiveEquals(field.name, name) { return field.value }
        return nil
    }

    public func values(_ name: String) -> [String] {
        var result: [String] = []
        for field in fields where asciiCaseInsensitiveEquals(field.name, name) { result.append(field.value) }
        return result
    }

    public func contains(_ name: String) -> Bool { first(name) != nil }

    /// The comma-separated elements of every field called `name`, trimmed and with ASCII
    /// letters lower-cased (for list-valued fields such as `Connection` and
    /// `Transfer-Encoding`). Only ASCII is folded: Unicode case mapping would turn
    /// `chun\u{212A}ed` (KELVIN SIGN) into `chunked`, a request-smuggling vector.
    public func tokens(_ name: String) -> [String] {
        guard contains(name) else { return [] }
        var result: [String] = []
        for value in values(name) {
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                let bytes = trimOWS(Substring(part)).utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
                result.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        return result
    }
}

/// Equality of two ASCII strings ignoring case (header names are ASCII tokens).
@inlinable
public func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    // Most names differ in length: settled without touching the bytes.
    guard a.utf8.count == b.utf8.count else { return false }
    var a = a, b = b
    return a.withUTF8 { x in
        b.withUTF8 { y in
            guard x.count == y.count else { return false }
            for i in 0..<x.count where x[i] != y[i] {
                if x[i] | 0x20 != y[i] | 0x20 { return false }
                let lower = x[i] | 0x20
                if lower < UInt8(ascii: "a") || lower > UInt8(ascii: "z") { return false }
            }
            return true
        }
    }
}

func trimOWS(_ s: Substring) -> String {
    var view = s.utf8[...]
    while let first = view.first, first == 0x20 || first == 0x09 { view = view.dropFirst() }
    while let last = view.last, last == 0x20 || last == 0x09 { view = view.dropLast() }
    return String(decoding: view, as: UTF8.self)
}
