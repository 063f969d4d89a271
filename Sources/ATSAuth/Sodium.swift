import CSodium

/// libsodium, which supplies Argon2id, HMAC-SHA256, secure random bytes and
/// constant-time comparison. `initialize` must run once before any of them.
public enum Sodium {
    public enum Failure: Error, CustomStringConvertible {
        case initializationFailed
        public var description: String { "libsodium could not be initialised" }
    }

    /// Idempotent; safe from several threads (libsodium guards it itself).
    public static func initialize() throws {
        guard sodium_init() >= 0 else { throw Failure.initializationFailed }
    }

    public static var version: String { String(cString: sodium_version_string()) }

    /// Lower-case hex SHA-256 of `text`'s UTF-8: how high-entropy secrets (API keys,
    /// reset and invitation tokens) are stored and looked up.
    public static func sha256Hex(_ text: String) -> String { sha256Hex(bytes: Array(text.utf8)) }

    /// Lower-case hex SHA-256 of `input` (an idempotent request's fingerprint).
    public static func sha256Hex(bytes input: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = crypto_hash_sha256(&digest, input, UInt64(input.count))
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(digest.count * 2)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
