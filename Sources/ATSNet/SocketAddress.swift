#if canImport(Glibc)
import Glibc
#endif

/// One resolved address of a host (IPv4 or IPv6) with its port: what `getaddrinfo`
/// returned, kept so the address that was checked is the one connected to.
public struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    /// The IP address in network order: 4 bytes, or 16.
    public let bytes: [UInt8]
    public let port: Int

    public init?(bytes: [UInt8], port: Int) {
        guard bytes.count == 4 || bytes.count == 16, (0...65535).contains(port) else { return nil }
        self.bytes = bytes
        self.port = port
    }

    public var family: Int32 { bytes.count == 4 ? AF_INET : AF_INET6 }

    /// Every address of `host` (a name or a literal), in the resolver's order.
    public static func resolve(_ host: String, port: Int) throws(BlockingSocket.Failure) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let first = info else {
            throw BlockingSocket.Failure("cannot resolve \(host)")
        }
        defer { freeaddrinfo(info) }
        var result: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            guard let raw = entry.pointee.ai_addr else { continue }
            if entry.pointee.ai_family == AF_INET {
                let v4 = UnsafeRawPointer(raw).loadUnaligned(as: sockaddr_in.self)
                let bytes = withUnsafeBytes(of: v4.sin_addr.s_addr) { Array($0) }
                if let address = SocketAddress(bytes: bytes, port: port), !result.contains(address) { result.append(address) }
            } else if entry.pointee.ai_family == AF_INET6 {
                let v6 = UnsafeRawPointer(raw).loadUnaligned(as: sockaddr_in6.self)
                let bytes = withUnsafeBytes(of: v6.sin6_addr) { Array($0) }
                if let address = SocketAddress(bytes: bytes, port: port), !result.contains(address) { result.append(address) }
            }
        }
        guard !result.isEmpty else { throw BlockingSocket.Failure("cannot resolve \(host)") }
        return result
    }

    /// Calls `body` with the address as a `sockaddr` and its length.
    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        if bytes.count == 4 {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = UInt16(port).bigEndian
            withUnsafeMutableBytes(of: &v4.sin_addr) { $0.copyBytes(from: bytes) }
            return withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        var v6 = sockaddr_in6()
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = UInt16(port).bigEndian
        withUnsafeMutableBytes(of: &v6.sin6_addr) { $0.copyBytes(from: bytes) }
        return withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
    }

    /// `127.0.0.1`, `::1` (IPv6 as eight groups, shortened where it is easy to read).
    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [String] = []
        for i in stride(from: 0, to: 16, by: 2) { groups.append(String(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]), radix: 16)) }
        return groups.joined(separator: ":")
    }

    /// Why a webhook may not be sent to this address, or nil when it is a public unicast
    /// one: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the cloud
    /// metadata address, fe80::/10), CGNAT (100.64/10), multicast, unspecified, broadcast
    /// and reserved ranges, and the IPv4-mapped, -compatible and NAT64 forms of them.
    public var refusal: String? {
        if bytes.count == 16 {
            let prefix = bytes[0..<12]
            // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64):
            // judged as the IPv4 address they carry.
            if prefix.elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) || prefix.elementsEqual([UInt8](repeating: 0, count: 12))
                || prefix.elementsEqual([0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]) {
                if prefix.allSatisfy({ $0 == 0 }) && bytes[12..<15].allSatisfy({ $0 == 0 }) && bytes[15] <= 1 {
                    return bytes[15] == 0 ? "unspecified" : "loopback"
                }
                return SocketAddress(bytes: Array(bytes[12..<16]), port: port)?.refusal
            }
            if bytes[0] == 0xFF { return "multicast" }
            if bytes[0] & 0xFE == 0xFC { return "private" }
            if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return "link-local" }
            if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0xC0 { return "private" }
            // 2002::/16 (6to4) carries an IPv4 address too.
            if bytes[0] == 0x20 && bytes[1] == 0x02, let inner = SocketAddress(bytes: Array(bytes[2..<6]), port: port)?.refusal { return inner }
            if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0D && bytes[3] == 0xB8 { return "reserved" }
            return nil
        }
        let (a, b) = (bytes[0], bytes[1])
        switch a {
        case 0: return bytes.allSatisfy { $0 == 0 } ? "unspecified" : "reserved"
        case 127: return "loopback"
        case 10: return "private"
        case 172 where (16...31).contains(b): return "private"
        case 192 where b == 168: return "private"
        case 169 where b == 254: return "link-local"
        case 100 where (64...127).contains(b): return "CGNAT"
        case 192 where b == 0 && bytes[2] == 0: return "reserved"
        case 198 where b == 18 || b == 19: return "reserved"
        case 224...239: return "multicast"
        case 240...255: return bytes.allSatisfy { $0 == 255 } ? "broadcast" : "reserved"
        default: return nil
        }
    }
}
