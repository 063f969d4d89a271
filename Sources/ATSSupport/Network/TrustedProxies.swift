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
            guard let bytes = IPAddress(parts[0])?.bytes else { return nil }
            var prefix = bytes.count * 8
            if parts.count == 2 {
                guard let p = Int(parts[1]), (0...bytes.count * 8).contains(p) else { return nil }
                prefix = p
            }
            networks.append(Network(bytes: bytes, prefix: prefix))
        }
    }

    public var isEmpty: Bool { networks.isEmpty }

    public func contains(_ address: IPAddress) -> Bool {
        let bytes = address.bytes
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
    public func clientAddress(peer: IPAddress, forwardedFor: [String]) -> IPAddress {
        guard contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimming() }.filter { !$0.isEmpty }
        var earliest = peer
        for hop in hops.reversed() {
            // A garbled entry ends the walk: trusting what lies before it would let a
            // client choose its own address.
            guard let address = IPAddress(hop) else { return peer }
            if !contains(address) { return address }
            earliest = address
        }
        return earliest
    }
}
