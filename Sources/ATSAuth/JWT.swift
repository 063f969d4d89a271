import ATSDomain
import ATSSupport
import CSodium

/// What an access token says: who (`sub`, a user id), where (`tid`, a tenant id), and
/// when (`iat`, `exp`, seconds since the epoch), and in which session epoch of the user
/// (`sep`: a password change, reset or logout bumps the user's epoch, and a token of an
/// older epoch is refused; a token without the claim is of epoch 0).
public struct TokenClaims: Sendable, Equatable {
    public let userID: UserID
    public let tenantID: TenantID
    public let issuedAt: Int64
    public let expiresAt: Int64
    public let sessionEpoch: Int64

    public init(userID: UserID, tenantID: TenantID, issuedAt: Int64, expiresAt: Int64, sessionEpoch: Int64 = 0) {
        self.userID = userID
        self.tenantID = tenantID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.sessionEpoch = sessionEpoch
    }
}

/// Why a token was refused. The API answers every case with the same 401; the cases
/// exist for tests and logs.
public enum TokenError: Error, Equatable, Sendable {
    case malformed
    case unsupportedAlgorithm
    case badSignature
    case expired
    case notYetValid
}

/// HS256 JSON Web Tokens (RFC 7519) with libsodium's HMAC-SHA256. Only `HS256` is
/// accepted — `none` and every other algorithm are refused before any signature check —
/// and the signature is compared in constant time.
public struct TokenSigner: Sendable {
    private let key: [UInt8]
    /// Tolerated clock difference for `iat`, in seconds.
    public static let clockSkew: Int64 = 60
    /// The largest token we look at (a header can be sent with a huge value).
    public static let maxLength = 4096

    /// `key` is the SECRET_KEY's bytes (at least 32 of them; checked by the configuration).
    public init(key: [UInt8]) {
        self.key = key
    }

    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    public func sign(_ claims: TokenClaims) -> String {
        let payload = JSONValue.object([
            ("sub", .string(String(claims.userID.rawValue))),
            ("tid", .int(claims.tenantID.rawValue)),
            ("iat", .int(claims.issuedAt)),
            ("exp", .int(claims.expiresAt)),
            ("sep", .int(claims.sessionEpoch)),
        ])
        let signingInput = TokenSigner.header + "." + Base64URL.encode(Array(payload.text.utf8))
        return signingInput + "." + Base64URL.encode(mac(Array(signingInput.utf8)))
    }

    public func verify(_ token: String, now: Int64) throws(TokenError) -> TokenClaims {
        guard token.utf8.count <= TokenSigner.maxLength else { throw .malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]) else { throw .malformed }
        guard let header = try? JSONParser.parse(headerBytes), case .string(let alg)? = header["alg"] else { throw .malformed }
        guard alg == "HS256" else { throw .unsupportedAlgorithm }
        if let typ = header["typ"] { guard typ == .string("JWT") else { throw .malformed } }

        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard signature.count == Int(crypto_auth_hmacsha256_BYTES) else { throw .badSignature }
        let expected = mac(signingInput)
        guard sodium_memcmp(expected, signature, expected.count) == 0 else { throw .badSignature }

        guard let payload = try? JSONParser.parse(payloadBytes),
              case .string(let sub)? = payload["sub"], let user = Int64(sub), user > 0,
              case .int(let tenant)? = payload["tid"], tenant > 0,
              case .int(let issuedAt)? = payload["iat"],
              case .int(let expiresAt)? = payload["exp"] else { throw .malformed }
        var epoch: Int64 = 0
        if let claim = payload["sep"] {
            guard case .int(let value) = claim, value >= 0 else { throw .malformed }
            epoch = value
        }
        guard expiresAt > now else { throw .expired }
        guard issuedAt <= now + TokenSigner.clockSkew else { throw .notYetValid }
        return TokenClaims(userID: UserID(user), tenantID: TenantID(tenant), issuedAt: issuedAt, expiresAt: expiresAt, sessionEpoch: epoch)
    }

    private func mac(_ message: [UInt8]) -> [UInt8] { Sodium.hmacSHA256(key: key, message) }
}
