@testable import ATSPersistence
import ATSSupport
import Testing

/// The statement splitter the migration runner uses on PostgreSQL (Citus refuses a
/// multi-statement string).
@Suite("SQLScript: a migration cut into statements")
struct SQLScriptTests {
    @Test func plainStatements() {
        #expect(SQLScript.statements("ALTER TABLE outbox DROP COLUMN lease_until; ALTER TABLE outbox DROP COLUMN queued_at;")
                == ["ALTER TABLE outbox DROP COLUMN lease_until", "ALTER TABLE outbox DROP COLUMN queued_at"])
        #expect(SQLScript.statements("SELECT 1") == ["SELECT 1"])
        #expect(SQLScript.statements("") == [])
        #expect(SQLScript.statements(" ;\n; -- only a comment\n/* and another */ ;") == [], "empty statements are dropped")
    }

    @Test func semicolonsInStringsAndIdentifiers() {
        #expect(SQLScript.statements("INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT \"odd;name\" FROM t")
                == ["INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT \"odd;name\" FROM t"])
        #expect(SQLScript.statements(#"SELECT E'back\'slash;' AS x; SELECT 2"#) == [#"SELECT E'back\'slash;' AS x"#, "SELECT 2"])
        // Outside E'…' a backslash is an ordinary character: the quote closes the string.
        #expect(SQLScript.statements(#"SELECT 'a\'; SELECT 2"#) == [#"SELECT 'a\'"#, "SELECT 2"])
    }

    @Test func dollarQuotedBodies() {
        let function = """
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              DELETE FROM t WHERE id = OLD.id; -- a comment; with a semicolon
              RETURN NULL;
            END
            $$
            """
        let tagged = "CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $$ not the end; $fn$"
        #expect(SQLScript.statements(function + ";\n" + tagged + ";\nDROP TABLE t;") == [function, tagged, "DROP TABLE t"])
        // Parameters and identifiers with $ are not quotes.
        #expect(SQLScript.statements("SELECT $1, a$b FROM t WHERE x = $2; SELECT 3") == ["SELECT $1, a$b FROM t WHERE x = $2", "SELECT 3"])
    }

    @Test func comments() {
        #expect(SQLScript.statements("-- first; not a cut\nCREATE TABLE a (id int); /* nested /* ; */ still; */ CREATE TABLE b (id int)")
                == ["-- first; not a cut\nCREATE TABLE a (id int)", "/* nested /* ; */ still; */ CREATE TABLE b (id int)"])
        #expect(SQLScript.withoutLeadingComments("-- x\n  /* y */\n CREATE TABLE t (id int)") == "CREATE TABLE t (id int)")
        #expect(SQLScript.withoutLeadingComments("SELECT 1") == "SELECT 1")
    }

    @Test("every PostgreSQL migration, up and down, cuts into statements that end where the file's do")
    func migrationsCut() throws {
        for migration in try MigrationCatalog.migrations(for: .postgres) {
            for script in [migration.up, migration.down] {
                let statements = SQLScript.statements(script)
                #expect(!statements.isEmpty || script.trimming(" \t\r\n").isEmpty, "\(migration.name)")
                // Rejoined, the statements hold the same SQL as the file (comments included).
                let squeeze = { (text: String) in text.filter { !$0.isWhitespace && $0 != ";" } }
                #expect(squeeze(statements.joined()) == squeeze(script), "\(migration.name)")
            }
        }
    }
}
