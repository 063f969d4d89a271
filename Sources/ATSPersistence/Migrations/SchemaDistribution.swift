/// A database that spreads its tables over several nodes (Citus). A table must be
/// distributed as it is created: a later foreign key to it, or from it to a distributed
/// table, fails while it is local. The runner sends each migration statement through
/// `execute`, and distributes what is still local once before the migrations (a
/// database that became distributed since its last migration).
public protocol SchemaDistribution {
    /// Settings for a migration's transaction, sent right after its BEGIN.
    var migrationSetup: [String] { get }
    /// Runs one statement of a migration (in its transaction); a table it creates is
    /// distributed at once. Returns one line per table distributed.
    func execute(_ statement: String, _ connection: any SQLConnection) throws(SQLError) -> [String]
    /// Distributes every table that is still local, in the caller's transaction (after
    /// `migrationSetup`); returns one line per table.
    func distributeLocalTables(_ connection: any SQLConnection) throws(SQLError) -> [String]
}
