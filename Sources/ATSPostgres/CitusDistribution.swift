import ATSPersistence

/// Citus (the `citus` extension on the database `ats migrate up` connects to, the
/// coordinator): `tenants` becomes a reference table (small, read everywhere, the target
/// of every tenant's foreign key) and every other table with a `tenant_id` column is
/// distributed by it, all colocated, so a tenant's rows share a shard and every query
/// filtered by `tenant_id` goes to that one shard. Tables without `tenant_id`
/// (`schema_migrations`) stay on the coordinator. See deploy/SCALING.md.
public struct CitusDistribution: SchemaDistribution {
    /// The distribution when `connection` is on a Citus coordinator, else nil.
    public static func detect(_ connection: any SQLConnection) throws(SQLError) -> CitusDistribution? {
        try connection.queryOne("SELECT 1 FROM pg_extension WHERE extname = 'citus'", []) == nil ? nil : CitusDistribution()
    }

    public let migrationSetup = [
        // The database sets 'local' for the application's tenant scope; a migration's own
        // `row_security = off` must stay on the coordinator: on the workers it turns the
        // foreign-key validation of a newly distributed table against a table with forced
        // RLS into an error (instead of PostgreSQL's row-by-row check, which may bypass
        // it). A data migration lifts FORCE around its statements (as 0010 does).
        "SET LOCAL citus.propagate_set_commands = 'none'",
        // Without this, Citus turns every table with a foreign key to the reference
        // table `tenants` into a "local metadata table", which then cannot be
        // distributed ("cannot complete operation on a table with identity column").
        "SET LOCAL citus.enable_local_reference_table_foreign_keys = off",
        // The search index (migration 0008) and the audit log (0015) keep their
        // triggers: they touch only rows of the same tenant, which are colocated.
        "SET LOCAL citus.enable_unsafe_triggers = on",
        // DDL and distribution mixed in one transaction, with foreign keys to a
        // reference table, need one connection per worker.
        "SET LOCAL citus.multi_shard_modify_mode = 'sequential'",
    ]

    /// Once tables are distributed, a CREATE TABLE runs without Citus's DDL processing (which refuses a local table
    /// with a foreign key to a distributed one), and the table is distributed right
    /// after it, in the same transaction: the statements that follow (indexes,
    /// policies, triggers) then reach its shards.
    public func execute(_ statement: String, _ connection: any SQLConnection) throws(SQLError) -> [String] {
        let head = SQLScript.withoutLeadingComments(statement).prefix(13).uppercased()
        // Before the first distribution (a new database), every migration runs on local
        // tables as on one PostgreSQL, and `ats migrate up` distributes them at the end:
        // statements Citus refuses on distributed tables (ADD COLUMN … CHECK, in 0007)
        // are fine then.
        guard head.hasPrefix("CREATE TABLE "), try connection.queryOne("SELECT 1 FROM pg_dist_partition LIMIT 1", []) != nil else {
            try connection.executeScript(statement)
            return []
        }
        try connection.executeScript("SET LOCAL citus.enable_ddl_propagation = off")
        try connection.executeScript(statement)
        try connection.executeScript("SET LOCAL citus.enable_ddl_propagation = on")
        return try distributeLocalTables(connection)
    }

    public func distributeLocalTables(_ connection: any SQLConnection) throws(SQLError) -> [String] {
        var lines: [String] = []
        var distributedNow: [String] = []
        let tenants = try connection.queryOne("""
            SELECT p.logicalrelid IS NULL FROM pg_class c LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid
            WHERE c.oid = to_regclass('public.tenants')
            """, [])
        if try tenants?.bool(0) == true {
            _ = try connection.query("SELECT create_reference_table('public.tenants')", [])
            distributedNow.append("public.tenants")
            lines.append("reference table tenants")
        }
        var colocateWith = try connection.queryOne("""
            SELECT logicalrelid::regclass::text FROM pg_dist_partition WHERE partmethod = 'h' ORDER BY colocationid, logicalrelid LIMIT 1
            """, [])?.text(0)
        for (table, forced) in try localTenantTables(connection) {
            // Citus copies the rows to the shards with COPY, which forced row-level
            // security refuses even to the owner: forced again once distributed.
            if forced { try connection.executeScript("ALTER TABLE \(table) NO FORCE ROW LEVEL SECURITY") }
            _ = try connection.query("SELECT create_distributed_table($1::regclass, 'tenant_id', colocate_with => $2)",
                                     [.text(table), .text(colocateWith ?? "default")])
            if forced { try connection.executeScript("ALTER TABLE \(table) FORCE ROW LEVEL SECURITY") }
            distributedNow.append(table)
            colocateWith = colocateWith ?? table
            lines.append("distributed \(table) by tenant_id")
        }
        // Citus copies a table's rows to the shards but leaves them on the coordinator
        // too, where a later ADD CONSTRAINT would validate the stale copy (0010's down
        // failed so). Children first: a referenced table's copy goes last.
        for table in distributedNow.reversed() {
            _ = try connection.query("SELECT truncate_local_data_after_distributing_table($1::regclass)", [.text(table)])
        }
        return lines
    }

    /// The statement that makes the coordinator send a transaction's `SET LOCAL
    /// app.tenant_id` ahead of each shard query (without it, row-level security on the
    /// workers sees no tenant: a tenant reads none of its rows and inserts none), for
    /// every role of this database; empty when the database or `role` has it already.
    func propagationSetting(_ connection: PostgresConnection, role: String) throws(SQLError) -> String {
        let present = try connection.queryOne("""
            SELECT 1 FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
            WHERE d.datname = current_database() AND 'citus.propagate_set_commands=local' = ANY (s.setconfig)
              AND (s.setrole = 0 OR s.setrole = (SELECT oid FROM pg_roles WHERE rolname = $1))
            """, [.text(role)]) != nil
        if present { return "" }
        let database = try connection.quoteIdentifier(try connection.queryOne("SELECT current_database()", [])?.text(0) ?? "")
        // Needs the database's owner (as deploy/postgres/init-roles.sh makes `ats_owner`)
        // or a superuser; the error names the statement otherwise.
        return "ALTER DATABASE \(database) SET citus.propagate_set_commands = 'local';"
    }

    /// Ordinary tables with a `tenant_id` column not yet known to Citus, parents before
    /// children (a table is distributed only once every table it references is).
    private func localTenantTables(_ connection: any SQLConnection) throws(SQLError) -> [(name: String, forcedSecurity: Bool)] {
        let tables = try connection.query("""
            SELECT format('%I.%I', n.nspname, c.relname), c.relforcerowsecurity FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'citus', 'columnar')
              AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)
            ORDER BY 1
            """, []).map { (row: SQLRow) throws(SQLError) -> (String, Bool) in (try row.text(0), try row.bool(1)) }
        let forced = Dictionary(tables, uniquingKeysWith: { first, _ in first })
        let references = try connection.query("""
            SELECT format('%I.%I', cn.nspname, c.relname), format('%I.%I', fn.nspname, f.relname) FROM pg_constraint k
            JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
            JOIN pg_class f ON f.oid = k.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
            WHERE k.contype = 'f' AND k.conrelid <> k.confrelid
            """, []).map { (row: SQLRow) throws(SQLError) -> (String, String) in (try row.text(0), try row.text(1)) }
        var pending = tables.map(\.0)
        var ordered: [String] = []
        while !pending.isEmpty {
            // Ready: no reference to a table still waiting.
            let ready = pending.filter { table in !references.contains { $0.0 == table && $0.1 != table && pending.contains($0.1) } }
            guard !ready.isEmpty else {
                throw SQLError.other(code: "CITUS", message: "foreign keys form a cycle among \(pending.joined(separator: ", "))")
            }
            ordered += ready
            pending.removeAll { ready.contains($0) }
        }
        return ordered.map { ($0, forced[$0] ?? false) }
    }
}
