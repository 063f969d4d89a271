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
