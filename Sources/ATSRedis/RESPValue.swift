/// A RESP2 value (the Redis protocol).
public enum RESPValue: Sendable, Equatable {
    case simple(String)
    case error(String)
    case integer(Int64)
    /// nil: the null bulk string (`$-1`).
    case bulk([UInt8]?)
    /// nil: the null array (`*-1`).
    case array([RESPValue]?)

    /// The text of a simple or bulk string.
    public var string: String? {
        switch self {
        case .simple(let s): return s
        case .bulk(let bytes?): return String(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }

    public var integer: Int64? {
        if case .integer(let n) = self { return n }
        return nil
    }

    public var items: [RESPValue]? {
        if case .array(let items?) = self { return items }
        return nil
    }
}

/// A reply that breaks the protocol or our limits; the connection cannot be trusted after it.
public struct RESPError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public enum RESP {
    /// A command as an array of bulk strings (how clients must send commands).
    public static func command(_ parts: [String]) -> [UInt8] {
        var out = Array("*\(parts.count)\r\n".utf8)
        for part in parts {
            let bytes = Array(part.utf8)
            out += Array("$\(bytes.count)\r\n".utf8)
            out += bytes
            out += [0x0D, 0x0A]
        }
        return out
    }

    /// Limits on what a server may send us.
    public static let maxBulkLength = 64 << 20
    public static let maxArrayCount = 1 << 20
    public static let maxDepth = 16
    public static let maxLineLength = 64 << 10

    /// Parses one value from `buffer[start...]`; nil when the buffer holds no complete
    /// value yet (call again with more bytes; `start` only moves past complete values).
    public static func parse(_ buffer: [UInt8], start: inout Int) throws(RESPError) -> RESPValue? {
        var position = start
        guard let value = try parseValue(buffer, &position, depth: 0) else { return nil }
        start = position
        return value
    }

    private static func line(_ buffer: [UInt8], _ position: inout Int) throws(RESPError) -> ArraySlice<UInt8>? {
        var i = position
        while i + 1 < buffer.count {
            if buffer[i] == 0x0D {
                guard buffer[i + 1] == 0x0A else { throw RESPError("CR without LF") }
                let line = buffer[position..<i]
                position = i + 2
                return line
            }
            if i - position > maxLineLength { throw RESPError("line too long") }
            i += 1
        }
        if buffer.count - position > maxLineLength { throw RESPError("line too long") }
        return nil
    }

    private static func number(_ bytes: ArraySlice<UInt8>) throws(RESPError) -> Int64 {
        guard !bytes.isEmpty, bytes.count <= 20, let n = Int64(String(decoding: bytes, as: UTF8.self)) else { throw RESPError("bad integer") }
        return n
    }

    private static func parseValue(_ buffer: [UInt8], _ position: inout Int, depth: Int) throws(RESPError) -> RESPValue? {
        guard depth <= maxDepth else { throw RESPError("nesting too deep") }
        guard position < buffer.count else { return nil }
        let type = buffer[position]
        var p = position + 1
        guard let header = try line(buffer, &p) else { return nil }
        switch type {
        case UInt8(ascii: "+"):
            position = p
            return .simple(String(decoding: header, as: UTF8.self))
        case UInt8(ascii: "-"):
            position = p
            return .error(String(decoding: header, as: UTF8.self))
        case UInt8(ascii: ":"):
            let n = try number(header)
            position = p
            return .integer(n)
        case UInt8(ascii: "$"):
            let length = try number(header)
            if length == -1 {
                position = p
                return .bulk(nil)
            }
            guard length >= 0, length <= maxBulkLength else { throw RESPError("bad bulk length") }
            let end = p + Int(length)
            guard end + 2 <= buffer.count else { return nil }
            guard buffer[end] == 0x0D, buffer[end + 1] == 0x0A else { throw RESPError("bulk string not followed by CRLF") }
            position = end + 2
            return .bulk(Array(buffer[p..<end]))
        case UInt8(ascii: "*"):
            let count = try number(header)
            if count == -1 {
                position = p
                return .array(nil)
            }
            guard count >= 0, count <= maxArrayCount else { throw RESPError("bad array length") }
            var items: [RESPValue] = []
            items.reserveCapacity(min(Int(count), 1024))
            for _ in 0..<count {
                guard let item = try parseValue(buffer, &p, depth: depth + 1) else { return nil }
                items.append(item)
            }
            position = p
            return .array(items)
        default:
            throw RESPError("unknown type byte \(type)")
        }
    }
}
