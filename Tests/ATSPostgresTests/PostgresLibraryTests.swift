import ATSPostgres
import Testing

@Suite("PostgresLibrary")
struct PostgresLibraryTests {
    @Test func linkedLibpqIsThreadSafe() {
        #expect(PostgresLibrary.isThreadSafe)
        #expect((Int(PostgresLibrary.version.split(separator: ".")[0]) ?? 0) >= 12)
    }
}
