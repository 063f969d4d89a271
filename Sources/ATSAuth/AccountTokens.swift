import CSodium

/// Password-reset and invitation tokens (docs/security.md, "Reset and invitation tokens"):
/// 32 random bytes as base64url. They are high-entropy, so a plain SHA-256 is enough to
/// store them (no salt or slow hash is needed against guessing 2^256 values); the
/// database holds only that hash.
public enum AccountToken {
    public static let byteCount = 32

    /// A fresh token and the hash to store for it.
    public static func generate() throws -> (token: String, hash: String) {
        try Sodium.initialize()
        var bytes = [UInt8](repeating: 0, count: byteCount)
        randombytes_buf(&bytes, bytes.count)
        let token = Base64URL.encode(bytes)
        return (token, hash(token))
    }

    /// Lower-case hex SHA-256 of the token's text: what is stored and looked up.
    public static func hash(_ token: String) -> String { Sodium.sha256Hex(token) }
}

/// Seals a secret (a reset or invitation token) for the outbox payload, so the raw token
/// never sits in the database in clear text: XSalsa20-Poly1305 (`crypto_secretbox`) with
/// a random nonce, under a key derived from SECRET_KEY with BLAKE2b keyed by the secret
/// and a fixed context (so it is never the token-signing key itself). Only the mail
/// composer opens it, in `ats serve` or `ats worker`, both of which hold SECRET_KEY.
public struct SecretSealer: Sendable {
    private let key: [UInt8]
    /// Names what the derived key is for: a new purpose gets a new context.
    static let context = Array("ats outbox sealed token v1".utf8)

    /// `secretKey` is SECRET_KEY's bytes (at least 32; the configuration checks).
    public init(secretKey: [UInt8]) throws {
        try Sodium.initialize()
        var derived = [UInt8](repeating: 0, count: Int(crypto_secretbox_KEYBYTES))
        // BLAKE2b takes a key of at most 64 bytes: a longer SECRET_KEY is hashed first.
        var macKey = secretKey
        if macKey.count > Int(crypto_generichash_KEYBYTES_MAX) {
            var short = [UInt8](repeating: 0, count: Int(crypto_generichash_BYTES))
            crypto_generichash(&short, short.count, macKey, UInt64(macKey.count), nil, 0)
            macKey = short
        }
        crypto_generichash(&derived, derived.count, Self.context, UInt64(Self.context.count), macKey, macKey.count)
        key = derived
    }

    /// base64url(nonce ‖ ciphertext ‖ tag).
    public func seal(_ secret: String) -> String {
        let message = Array(secret.utf8)
        var nonce = [UInt8](repeating: 0, count: Int(crypto_secretbox_NONCEBYTES))
        randombytes_buf(&nonce, nonce.count)
        var box = [UInt8](repeating: 0, count: message.count + Int(crypto_secretbox_MACBYTES))
        crypto_secretbox_easy(&box, message, UInt64(message.count), nonce, key)
        return Base64URL.encode(nonce + box)
    }

    /// The secret, or nil when the text was not sealed with this key (or was altered).
    public func open(_ sealed: String) -> String? {
        guard let bytes = Base64URL.decode(Substring(sealed)),
              bytes.count >= Int(crypto_secretbox_NONCEBYTES) + Int(crypto_secretbox_MACBYTES) else { return nil }
        let nonce = Array(bytes.prefix(Int(crypto_secretbox_NONCEBYTES)))
        let box = Array(bytes.dropFirst(Int(crypto_secretbox_NONCEBYTES)))
        var message = [UInt8](repeating: 0, count: box.count - Int(crypto_secretbox_MACBYTES))
        guard crypto_secretbox_open_easy(&message, box, UInt64(box.count), nonce, key) == 0 else { return nil }
        return String(validating: message, as: UTF8.self)
    }
}
