import ATSSQLite
import Testing

@Suite("SQLiteLibrary")
struct SQLiteLibraryTests {
    @Test func linkedLibraryIsThreadSafeAndRecentEnough() throws {
        #expect(SQLiteLibrary.isThreadSafe)
        let parts = SQLiteLibrary.version.split(separator: ".").compactMap { Int($0) }
        // RETURNING and UPSERT, which the adapter will use, need 3.35.
        #expect(parts.count >= 2 && (parts[0], parts[1]) >= (3, 35))
    }
}
