#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address, as its 4 or 16 bytes. An IPv4-mapped IPv6 address
/// (`::ffff:192.0.2.1`, what a dual-stack listener reports for IPv4 clients) is kept as
/// the IPv4 address, so logs, limits and `ATS_TRUSTED_PROXIES` see one form.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// nil unless `bytes` has 4 or 16 bytes.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self.bytes = bytes
        case 16:
            let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            self.bytes = mapped ? Array(bytes[12...]) : bytes
        default: return nil
        }
    }

    /// Parses dotted IPv4 or textual IPv6 (no brackets, port or zone); nil otherwise.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
    }

    public var isIPv6: Bool { bytes.count == 16 }

    /// `192.0.2.1` or the canonical IPv6 text (`::1`, `2001:db8::5`).
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv6 ? AF_INET6 : AF_INET
        let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) } != nil
        guard ok else { return "unknown" }
        return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A connection's peer as `accept()` reported it: address and port. Written
/// `192.0.2.1:5555` or, for IPv6, `[2001:db8::5]:5555`.
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    public let ip: IPAddress
    public let port: UInt16

    public init(ip: IPAddress, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    public var description: String { ip.isIPv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }

    /// `host:port` for a listener's log line: IPv6 hosts in brackets.
    public static func display(host: String, port: Int) -> String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
