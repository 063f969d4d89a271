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

    /// A hash to verify against when the account does not exist, so that a login for an
    /// unknown email spends the same time as one for a known email. With the default
    /// parameters it is a constant (the hash of random bytes nobody kept): computing one
    /// at start-up took 19 MiB for a moment, the server's peak memory otherwise.
    public func decoyHash() throws -> String {
        if opsLimit == PasswordHasher.owaspMinimum.opsLimit && memLimit == PasswordHasher.owaspMinimum.memLimit {
            return "$argon2id$v=19$m=19456,t=2,p=1$QgsFFJ879by2zJ+fB7t5gQ$P+KEyOeHFc7w3+XVNBmSA4z8xkS3NbK9iVudUVzifLc"
        }
        return try hash(try SecureRandom.password(length: 32))
    }

    /// Whether `hash` uses this hasher's algorithm and parameters.
    public func matchesParameters(_ hash: String) -> Bool {
        guard (try? Sodium.initialize()) != nil else { return false }
        return crypto_pwhash_str_needs_rehash(hash, opsLimit, memLimit) == 0
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
