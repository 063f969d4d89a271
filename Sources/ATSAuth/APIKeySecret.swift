import CSodium

/// The text of an API key: `ats_<prefix>_<secret>`, where `prefix` is 8 characters of
/// base32 (40 random bits, public: stored and shown, it finds the key's row) and
/// `secret` is 32 random bytes in base64url (43 characters). `ats_` tells a key from a
/// JWT (which starts with `eyJ`) without touching the database. The server keeps only
/// the SHA-256 of the whole key: the secret has 256 bits of entropy, so a fast hash is
/// enough (a slow password hash protects guessable secrets, which this is not).
public enum APIKeySecret {
    public static let scheme = "ats_"
    public static let prefixLength = 8
    static let secretBytes = 32
    /// `ats_` + prefix + `_` + 43 characters of base64url.
    public static let length = 4 + prefixLength + 1 + 43
    private static let base32 = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
    private static let base64URL = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public struct Generated: Sendable {
        /// The whole key, for the one response that shows it.
        public let key: String
        public let prefix: String
        /// Lower-case hex SHA-256 of `key`: what is stored.
        public let hash: String
    }

    /// A parsed `Authorization: Bearer ats_…`: the prefix to look up and the hash to compare.
    public struct Presented: Sendable, Equatable {
        public let prefix: String
        public let hash: String
    }

    public static func generate() throws -> Generated {
        try Sodium.initialize()
        var random = [UInt8](repeating: 0, count: 5 + secretBytes)
        randombytes_buf(&random, random.count)
        // 5 bytes = 40 bits = 8 base32 characters exactly.
        var bits = random[0..<5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var prefixBytes = [UInt8](repeating: 0, count: prefixLength)
        for i in (0..<prefixLength).reversed() {
            prefixBytes[i] = base32[Int(bits & 31)]
            bits >>= 5
        }
        let prefix = String(decoding: prefixBytes, as: UTF8.self)
        let key = scheme + prefix + "_" + Base64URL.encode(Array(random[5...]))
        return Generated(key: key, prefix: prefix, hash: hexHash(key))
    }

    /// Whether the bearer token claims to be an API key (and so is never tried as a JWT).
    public static func looksLikeKey(_ token: String) -> Bool { token.hasPrefix(scheme) }

    /// The prefix and hash of a well-formed key; nil for anything else (then 401).
    public static func parse(_ token: String) -> Presented? {
        let bytes = Array(token.utf8)
        guard bytes.count == length, token.hasPrefix(scheme), bytes[4 + prefixLength] == UInt8(ascii: "_") else { return nil }
        let prefix = bytes[4..<(4 + prefixLength)]
        guard prefix.allSatisfy({ base32.contains($0) }), bytes[(5 + prefixLength)...].allSatisfy({ base64URL.contains($0) }) else { return nil }
        guard (try? Sodium.initialize()) != nil else { return nil }
        return Presented(prefix: String(decoding: prefix, as: UTF8.self), hash: hexHash(token))
    }

    /// Compares a presented hash with the stored one in constant time (libsodium's
    /// `sodium_memcmp`): how long it takes says nothing about how much matched.
    public static func matches(_ presented: String, stored: String) -> Bool {
        let a = Array(presented.utf8), b = Array(stored.utf8)
        guard a.count == b.count, !a.isEmpty else { return false }
        return sodium_memcmp(a, b, a.count) == 0
    }

    static func hexHash(_ text: String) -> String { Sodium.sha256Hex(text) }
}
