import ATSAuth
import ATSDomain
import ATSSupport
import Testing

@Suite("TokenSigner (HS256)")
struct TokenSignerTests {
    let signer = TokenSigner(key: Array("0123456789abcdef0123456789abcdef".utf8))
    let claims = TokenClaims(userID: UserID(42), tenantID: TenantID(7), issuedAt: 1_000, expiresAt: 4_600)

    private func part(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }

    @Test func roundTrips() throws {
        let token = signer.sign(claims)
        #expect(token.split(separator: ".").count == 3)
        #expect(try signer.verify(token, now: 2_000) == claims)
    }

    @Test func rejectsExpiredAndFutureTokens() {
        let token = signer.sign(claims)
        #expect(throws: TokenError.expired) { try signer.verify(token, now: 4_600) }
        let future = signer.sign(TokenClaims(userID: UserID(1), tenantID: TenantID(1), issuedAt: 10_000, expiresAt: 20_000))
        #expect(throws: TokenError.notYetValid) { try signer.verify(future, now: 5_000) }
    }

    @Test func rejectsOtherAlgorithmsBeforeTheSignature() throws {
        let token = signer.sign(claims)
        let parts = token.split(separator: ".").map(String.init)
        let none = part(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."
        #expect(throws: TokenError.self) { try signer.verify(none, now: 2_000) }
        let noneWithSignature = part(#"{"alg":"none"}"#) + "." + parts[1] + "." + parts[2]
        #expect(throws: TokenError.unsupportedAlgorithm) { try signer.verify(noneWithSignature, now: 2_000) }
        let hs512 = part(#"{"alg":"HS512","typ":"JWT"}"#) + "." + parts[1] + "." + parts[2]
        #expect(throws: TokenError.unsupportedAlgorithm) { try signer.verify(hs512, now: 2_000) }
        let rs256 = part(#"{"alg":"RS256"}"#) + "." + parts[1] + "." + parts[2]
        #expect(throws: TokenError.unsupportedAlgorithm) { try signer.verify(rs256, now: 2_000) }
    }

    @Test func rejectsTampering() throws {
        let parts = signer.sign(claims).split(separator: ".").map(String.init)
        let otherUser = part(#"{"sub":"1","tid":7,"iat":1000,"exp":4600}"#)
        #expect(throws: TokenError.badSignature) { try signer.verify(parts[0] + "." + otherUser + "." + parts[2], now: 2_000) }
        let otherKey = TokenSigner(key: Array("another key that is long enough!!".utf8))
        #expect(throws: TokenError.badSignature) { try otherKey.verify(signer.sign(claims), now: 2_000) }
        var flipped = Array(parts[2].utf8)
        flipped[0] = flipped[0] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: TokenError.self) { try signer.verify(parts[0] + "." + parts[1] + "." + String(decoding: flipped, as: UTF8.self), now: 2_000) }
    }

    @Test("malformed tokens are refused, never trapped on", arguments: [
        "", "a.b", "a.b.c.d", "....", "!!!.###.$$$", "eyJhbGciOiJIUzI1NiJ9..", String(repeating: "a", count: 5000),
        "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.AAAA",
    ])
    func malformed(_ token: String) {
        #expect(throws: TokenError.self) { try signer.verify(token, now: 2_000) }
    }

    @Test func base64URLIsCanonical() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)[...]) == bytes)
        }
        #expect(Base64URL.decode("YQ") == Array("a".utf8))
        #expect(Base64URL.decode("YR") == nil, "non-zero padding bits")
        #expect(Base64URL.decode("Y") == nil)
        #expect(Base64URL.decode("YQ==") == nil, "padding is not part of base64url here")
    }
}

@Suite("PasswordHasher (Argon2id)")
struct PasswordHasherTests {
    @Test func hashesAndVerifies() throws {
        let hasher = PasswordHasher.owaspMinimum
        let hash = try hasher.hash("correct horse battery staple")
        #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(hasher.verify("correct horse battery staple", against: hash))
        #expect(!hasher.verify("correct horse battery stapler", against: hash))
        #expect(!hasher.verify("x", against: "not a hash"))
        #expect(try hasher.hash("same") != (try hasher.hash("same")), "salted")
    }
}
