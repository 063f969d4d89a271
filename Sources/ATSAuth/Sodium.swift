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
}
