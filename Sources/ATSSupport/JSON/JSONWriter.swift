/// Writes JSON text into a buffer of its own, growing it as needed: the one writer behind
/// `JSONValue.bytes` and behind the resource shapes that list responses repeat per row
/// (those write fields straight to bytes: a `JSONValue` tree per row, Swift arrays
/// appended a few bytes at a time, cost several times as much).
/// Keys are `StaticString`s of our own (identifiers: written as they are, unescaped);
/// strings are escaped per RFC 8259 §7, U+2028/2029 too (for embedding in scripts).
public struct JSONWriter: ~Copyable {
    private var buffer: ByteBuffer
    /// No member written yet in the innermost open object.
    private var first = true

    public init(capacity: Int = 512) { buffer = ByteBuffer(capacity: capacity) }

    /// The text written, as bytes.
    public consuming func finish() -> [UInt8] { buffer.array }

    /// What `body` writes, as a tree (for callers that inspect or nest it).
    public static func value(_ body: (inout JSONWriter) -> Void) -> JSONValue {
        var writer = JSONWriter()
        body(&writer)
        // Our own output always parses; `.null` only if a body wrote nothing at all.
        return (try? JSONParser.parse(writer.finish())) ?? .null
    }

    @inline(__always) private mutating func append(_ byte: UInt8) { buffer.append(byte) }
    @inline(__always) private mutating func append(_ a: UInt8, _ b: UInt8) { buffer.append(a, b) }
    @inline(__always) private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) { buffer.append(bytes) }

    // MARK: Values

    /// Any tree.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .int(let n): integer(n)
        case .double(let d):
            var text = d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)) : "null"
            text.withUTF8 { append($0) }
        case .string(let s): string(s)
        case .array(let items):
            array(items) { $0.value($1) }
        case .object(let members):
            append(0x7B)
            for (i, member) in members.enumerated() {
                if i > 0 { append(0x2C) }
                string(member.key)
                append(0x3A)
                self.value(member.value)
            }
            append(0x7D)
        }
    }

    public mutating func null() {
        let text: StaticString = "null"
        text.withUTF8Buffer { append($0) }
    }

    public mutating func bool(_ value: Bool) {
        let text: StaticString = value ? "true" : "false"
        text.withUTF8Buffer { append($0) }
    }

    public mutating func integer(_ n: Int64) { buffer.appendDecimal(n) }

    /// RFC 3339 in quotes, as `Timestamp.rfc3339` writes it.
    public mutating func timestamp(_ value: Timestamp) {
        append(0x22)
        buffer.write(upTo: 27) { value.writeRFC3339(into: $0) }
        append(0x22)
    }

    /// `s` as a JSON string literal. Runs that need no escape are copied whole (most
    /// strings are one run), found eight bytes at a time.
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { bytes in
            buffer.reserve(bytes.count + 2)
            append(0x22)
            var runStart = 0
            var i = 0
            let total = bytes.count
            guard let base = bytes.baseAddress else { return }
            while i < total {
                if i + 8 <= total, !JSONWriter.mayNeedEscape(UnsafeRawPointer(base).loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                    i &+= 8
                    continue
                }
                let b = base[i]
                guard b < 0x20 || b == 0x22 || b == 0x5C || b == 0xE2 else {
                    i &+= 1
                    continue
                }
                if b == 0xE2 {
                    // U+2028 / U+2029 are E2 80 A8 / E2 80 A9; other E2 sequences stay.
                    guard i + 2 < total && base[i + 1] == 0x80 && (base[i + 2] == 0xA8 || base[i + 2] == 0xA9) else {
                        i &+= 1
                        continue
                    }
                    append(UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                    append(0x5C, 0x75); append(0x32, 0x30); append(0x32, base[i + 2] == 0xA8 ? 0x38 : 0x39)
                    i += 3
                    runStart = i
                    continue
                }
                append(UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                switch b {
                case 0x22: append(0x5C, 0x22)
                case 0x5C: append(0x5C, 0x5C)
                case 0x0A: append(0x5C, 0x6E)
                case 0x0D: append(0x5C, 0x72)
                case 0x09: append(0x5C, 0x74)
                default: append(0x5C, 0x75); append(0x30, 0x30); append(JSONWriter.hexDigit(b >> 4), JSONWriter.hexDigit(b & 0xF))
                }
                i += 1
                runStart = i
            }
            append(UnsafeBufferPointer(rebasing: bytes[runStart..<total]))
        }
        append(0x22)
    }

    private static func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? 0x30 + n : 0x61 + n - 10 }

    /// True when one of the eight bytes is below 0x20, a quote, a backslash or 0xE2: the
    /// classic "has a byte less than / equal to" bit tricks, exact as a yes/no answer.
    @inline(__always)
    private static func mayNeedEscape(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        let control = (w &- ones &* 0x20) & ~w & highs
        return (control | hasZeroByte(w ^ (ones &* 0x22)) | hasZeroByte(w ^ (ones &* 0x5C)) | hasZeroByte(w ^ (ones &* 0xE2))) != 0
    }

    // MARK: Containers (as a value: at the top, after a key, or as an array element)

    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        append(0x7B)
        let outer = first
        first = true
        body(&self)
        first = outer
        append(0x7D)
    }

    public mutating func array<S: Sequence>(_ items: S, _ element: (inout JSONWriter, S.Element) -> Void) {
        append(0x5B)
        var separate = false
        for item in items {
            if separate { append(0x2C) }
            separate = true
            element(&self, item)
        }
        append(0x5D)
    }

    // MARK: Object members

    @inline(__always)
    private mutating func key(_ key: StaticString) {
        buffer.reserve(key.utf8CodeUnitCount + 4)
        if !first { append(0x2C) }
        first = false
        append(0x22)
        key.withUTF8Buffer { append($0) }
        append(0x22, 0x3A)
    }

    public mutating func field(_ name: StaticString, _ value: Int64) {
        key(name)
        integer(value)
    }

    public mutating func field(_ name: StaticString, _ value: Int64?) {
        key(name)
        if let value { integer(value) } else { null() }
    }

    public mutating func field(_ name: StaticString, _ value: String) {
        key(name)
        string(value)
    }

    public mutating func field(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    public mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bool(value)
    }

    public mutating func field(_ name: StaticString, _ value: Timestamp) {
        key(name)
        timestamp(value)
    }

    public mutating func field(_ name: StaticString, _ value: Timestamp?) {
        key(name)
        if let value { timestamp(value) } else { null() }
    }

    public mutating func field(_ name: StaticString, _ value: JSONValue) {
        key(name)
        self.value(value)
    }

    /// A member whose value `body` writes (an object or array).
    public mutating func field(_ name: StaticString, _ body: (inout JSONWriter) -> Void) {
        key(name)
        body(&self)
    }

    public mutating func null(_ name: StaticString) {
        key(name)
        null()
    }
}
