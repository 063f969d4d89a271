import ATSAuth
import Testing

@Suite("Sodium")
struct SodiumTests {
    @Test func initialisesAndReportsItsVersion() throws {
        try Sodium.initialize()
        try Sodium.initialize()  // idempotent
        #expect(Sodium.version.split(separator: ".").count == 3)
    }
}

@Suite("Password decoy hash")
struct PasswordDecoyTests {
    @Test("the decoy hash is a real Argon2id hash with the hasher's own parameters, so verifying against it costs what a real one costs")
    func decoyHashMatchesTheParameters() throws {
        let hasher = PasswordHasher.owaspMinimum
        let decoy = try hasher.decoyHash()
        #expect(decoy.hasPrefix("$argon2id$") && hasher.matchesParameters(decoy))
        #expect(!hasher.verify("", against: decoy) && !hasher.verify("password", against: decoy))
        let cheap = PasswordHasher(opsLimit: 1, memLimit: 8 * 1024)
        let other = try cheap.decoyHash()
        #expect(cheap.matchesParameters(other) && !hasher.matchesParameters(other), "other parameters: a decoy made with them")
    }
}
