import CLibPQ

/// Facts about the linked libpq (reported by `ats --version`).
public enum PostgresLibrary {
    /// e.g. "15.18" from PQlibVersion's 150018.
    public static var version: String {
        let v = Int(PQlibVersion())
        return "\(v / 10000).\(v % 10000)"
    }

    public static var isThreadSafe: Bool { PQisthreadsafe() != 0 }
}
