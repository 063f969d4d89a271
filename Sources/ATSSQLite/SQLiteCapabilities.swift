import ATSDomain
import ATSPersistence

/// SQLite: one writer at a time (BEGIN IMMEDIATE takes the lock up front, so a unit of
/// work never fails half-way on a busy upgrade), no row-level security (one file per
/// deployment), ids from the `id_sequences` counter rows.
struct SQLiteCapabilities: SQLCapabilities {
    let dialect = SQLDialect.sqlite
    func begin(readOnly: Bool) -> String { readOnly ? "BEGIN" : "BEGIN IMMEDIATE" }
    func scopeToTenant(_ tenant: TenantID) -> String? { nil }
    let lockRowsClause = ""
    let reserveIDsQuery: String? = "UPDATE id_sequences SET value = value + $2 WHERE name = $1 RETURNING value"
    let writesInCTE = false
    let distributed = false
    let timestampColumnType = "TEXT"
    let tableExistsQuery = "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = $1"
    /// Table rebuilds (SQLite's way to change a constraint) drop tables; with foreign
    /// keys on, that would cascade-delete. The check afterwards restores the guarantee.
    let beforeMigration: String? = "PRAGMA foreign_keys = OFF"
    let afterMigration: String? = "PRAGMA foreign_keys = ON"
    let migrationTransactionSetup: String? = nil
    let foreignKeyCheckQuery: String? = "PRAGMA foreign_key_check"
    func hexText(_ column: String) -> String { "hex(\(column))" }
    /// Plain DELETEs, which the table's triggers allow only for these rows (no roles here).
    let auditExpiryStatement = """
        DELETE FROM audit_events WHERE tenant_id = $1 AND created_at < min($2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-400 days'))
        """
    let auditPurgeStatement = "DELETE FROM audit_events WHERE tenant_id = $1"
}
