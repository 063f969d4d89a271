import CSodium

/// Argon2id password hashes via libsodium's `crypto_pwhash_str`, which stores the
/// algorithm, parameters and salt in the string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
///
/// Parameters: OWASP's minimum recommendation for Argon2id, m = 19 MiB, t = 2, p = 1.
/// (libsodium's INTERACTIVE preset uses 64 MiB, which with 16 concurrent logins would
/// pin a gigabyte; 19 MiB keeps the worst case near 300 MiB.)
public struct PasswordHasher: Sendable {
    public let opsLimit: UInt64
    public let memLimit: Int

    public static let owaspMinimum = PasswordHasher(opsLimit: 2, memLimit: 19 * 1024 * 1024)

    public init(opsLimit: UInt64, memLimit: Int) {
        self.opsLimit = opsLimit
        self.memLimit = memLimit
    }

    public enum Failure: Error, CustomStringConvertible {
        case hashingFailed
        public var description: String { "password hashing failed (out of memory?)" }
    }

    public func hash(_ password: String) throws -> String {
        try Sodium.initialize()
        var out = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
        // The String bridges to its UTF-8 bytes; the explicit length keeps any NULs.
        let rc = crypto_pwhash_str(&out, password, UInt64(password.utf8.count), opsLimit, memLimit)
        guard rc == 0 else { throw Failure.hashingFailed }
        return String(decoding: out.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Constant-time verification (libsodium compares the derived keys in constant time).
    public func verify(_ password: String, against hash: String) -> Bool {
        guard (try? Sodium.initialize()) != nil else { return false }
        return crypto_pwhash_str_verify(hash, password, UInt64(password.utf8.count)) == 0
    }
}

/// Random secrets from libsodium's CSPRNG.
public enum SecureRandom {
    /// `count` characters from an unambiguous alphabet (no 0/O, 1/l/I).
    public static func password(length count: Int = 20) throws -> String {
        try Sodium.initialize()
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<count).map { _ in alphabet[Int(randombytes_uniform(UInt32(alphabet.count)))] })
    }
}
