import CSQLite3

/// Facts about the linked libsqlite3 (reported by `ats --version`).
public enum SQLiteLibrary {
    public static var version: String { String(cString: sqlite3_libversion()) }
    /// The adapter runs connections from several threads; it needs a thread-safe build.
    public static var isThreadSafe: Bool { sqlite3_threadsafe() != 0 }
}
