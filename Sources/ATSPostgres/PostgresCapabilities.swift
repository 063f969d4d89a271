import ATSSupport
import ATSDomain
import ATSPersistence

/// PostgreSQL: row-level security scoped per transaction through `app.tenant_id`, row
/// locks with FOR UPDATE, ids from each table's sequence.
struct PostgresCapabilities: SQLCapabilities {
    let dialect = SQLDialect.postgres
    func begin(readOnly: Bool) -> String { readOnly ? "BEGIN READ ONLY" : "BEGIN" }
    /// `SET LOCAL` rather than `set_config(…, true)`: the same transaction-local setting,
    /// and the form Citus carries to the workers' shards (with
    /// `citus.propagate_set_commands = 'local'`), where a function call's setting is lost.
    /// The id is our own Int64 rendered as digits, never client text, so inlining it (to
    /// send it with BEGIN in one round trip) cannot inject SQL.
    func scopeToTenant(_ tenant: TenantID) -> String? { "SET LOCAL app.tenant_id = '\(tenant.rawValue)'" }
    let lockRowsClause = " FOR UPDATE"
    let reserveIDsQuery: String? = nil
    let writesInCTE = true
    /// Citus: the connection found the `citus` extension when it opened.
    var distributed = false
    let timestampColumnType = "timestamptz"
    let tableExistsQuery = "SELECT to_regclass($1) IS NOT NULL"
    let beforeMigration: String? = nil
    let afterMigration: String? = nil
    /// Row-level security is forced even for the owner: a data migration would silently
    /// touch no rows. With it off, such a statement fails loudly unless the owner may
    /// bypass RLS.
    let migrationTransactionSetup: String? = "SET LOCAL row_security = off"
    let foreignKeyCheckQuery: String? = nil
    func hexText(_ column: String) -> String { "encode(\(column), 'hex')" }
    /// SECURITY DEFINER functions: the application role may not DELETE audit rows itself.
    let auditExpiryStatement = "SELECT audit_events_expire($1, $2)"
    let auditPurgeStatement = "SELECT audit_events_purge_tenant($1)"
}
