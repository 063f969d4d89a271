import ATSDomain

public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres
}

/// What differs between the engines, asked as capabilities instead of `if dialect`
/// branches. Each driver supplies one; the repositories, the transaction code and the
/// migration runner are written once against it.
public protocol SQLCapabilities: Sendable {
    var dialect: SQLDialect { get }
    /// BEGIN for a unit of work (SQLite takes the write lock up front: BEGIN IMMEDIATE).
    func begin(readOnly: Bool) -> String
    /// The statement that scopes a transaction to a tenant for row-level security, sent
    /// in the same round trip as BEGIN; nil on an engine without row-level security.
    func scopeToTenant(_ tenant: TenantID) -> String?
    /// Appended to a SELECT whose rows must stay locked until commit ("" where one
    /// writer at a time serializes already).
    var lockRowsClause: String { get }
    /// One row, one column: the last of `$2` ids reserved for the table named by `$1`;
    /// nil where the `id` column fills itself in (an identity column: an INSERT leaves it
    /// out and reads it back with RETURNING, in the same round trip).
    var reserveIDsQuery: String? { get }
    /// INSERT … RETURNING inside a WITH clause (one statement writes a row and its
    /// children).
    var writesInCTE: Bool { get }
    /// The tables are distributed (Citus): an INSERT … SELECT runs there as a COPY into
    /// the shards, which forced row-level security refuses, so writers that use one
    /// read first and insert VALUES instead (one more round trip, on Citus only).
    var distributed: Bool { get }
    /// The column type of `schema_migrations.applied_at`.
    var timestampColumnType: String { get }
    /// One row, one boolean: whether the table named by `$1` exists.
    var tableExistsQuery: String { get }
    /// Run outside the transaction before / after each migration (SQLite switches
    /// foreign keys off while a migration rebuilds tables: the pragma only works there).
    var beforeMigration: String? { get }
    var afterMigration: String? { get }
    /// Run first inside each migration's transaction.
    var migrationTransactionSetup: String? { get }
    /// Rows that break a foreign key (any row: the migration is refused), where the
    /// engine's own checks were off during the migration.
    var foreignKeyCheckQuery: String? { get }
    /// An expression giving a blob column as hex text (either case), for exports that
    /// read every column as text.
    func hexText(_ column: String) -> String
    /// The audit log is append-only for the application (migration 0015), so its rows
    /// leave only through these: removes tenant `$1`'s entries created before `$2` and
    /// more than 400 days ago (the earlier of the two) …
    var auditExpiryStatement: String { get }
    /// … and every entry of tenant `$1`, whose tenant row is already deleted.
    var auditPurgeStatement: String { get }
}
