#if canImport(Glibc)
import Glibc
#endif

/// The reverse proxies whose `X-Forwarded-For` is believed (`ATS_TRUSTED_PROXIES`:
/// addresses and CIDR networks, IPv4 or IPv6). Behind nginx every connection comes from
/// the proxy, so without this the per-address login limit would count everyone as one
/// client. Only a trusted peer's header is read, and only the entries the trusted
/// proxies appended: the client address is the rightmost entry that is not a proxy.
public struct TrustedProxies: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        var bytes: [UInt8]  // 4 or 16
        var prefix: Int
    }

    private var networks: [Network] = []

    public init() {}

    /// nil when an entry is not an address or `address/prefix`.
    public init?(_ list: String) {
        for entry in list.split(separator: ",").map({ $0.trimming() }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = TrustedProxies.parse(parts[0]) else { return nil }
            var prefix = bytes.count * 8
            if parts.count == 2 {
                guard let p = Int(parts[1]), (0...bytes.count * 8).contains(p) else { return nil }
                prefix = p
            }
            networks.append(Network(bytes: bytes, prefix: prefix))
        }
    }

    public var isEmpty: Bool { networks.isEmpty }

    public func contains(_ address: String) -> Bool {
        guard let bytes = TrustedProxies.parse(address) else { return false }
        return networks.contains { network in
            guard network.bytes.count == bytes.count else { return false }
            var bits = network.prefix
            for i in 0..<bytes.count where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if bytes[i] & mask != network.bytes[i] & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    /// The client's address: `peer` itself, unless `peer` is a trusted proxy and
    /// `forwardedFor` (the `X-Forwarded-For` values, in order) names someone before it.
    public func clientAddress(peer: String, forwardedFor: [String]) -> String {
        guard contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimming() }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !contains(hop) {
            // A garbled entry ends the walk: trusting what lies before it would let a
            // client choose its own address.
            return TrustedProxies.parse(hop) == nil ? peer : hop
        }
        return hops.first ?? peer
    }

    /// The address's bytes (IPv4-mapped IPv6 counts as IPv4).
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}
