import ATSConfiguration
import ATSDomain
import ATSSupport
import ATSPostgres
import ATSSQLite
import ATSFeatures
import ATSPersistence

/// Opens the configured database: SQLite for `sqlite:///…`, PostgreSQL otherwise.
enum OpenedDatabase {
    case sqlite(SQLiteDatabase)
    case postgres(PostgresDatabase)

    /// `owner`: connect as the table owner (DATABASE_OWNER_URL) for migrations.
    static func open(_ config: Configuration, owner: Bool = false, poolSize: Int? = nil) throws -> OpenedDatabase {
        if config.isPostgres {
            let url = owner ? (config.databaseOwnerURL ?? config.databaseURL) : config.databaseURL
            return .postgres(PostgresDatabase(url: url, poolSize: poolSize ?? config.databasePool,
                                              statementTimeoutMilliseconds: config.statementTimeoutMilliseconds))
        }
        guard let path = SQLiteDatabase.path(fromURL: config.databaseURL) else {
            throw ConfigError("DATABASE_URL", "expected sqlite:///PATH (value not shown)")
        }
        return .sqlite(try SQLiteDatabase(path: path, readers: poolSize ?? config.databasePool))
    }

    var database: any Database {
        switch self {
        case .sqlite(let db): return db
        case .postgres(let db): return db
        }
    }

    var dialect: SQLDialect { database.dialect }

    /// Runs `body` with a migration runner over the binary's migrations for this dialect.
    func withMigrationRunner<T>(_ body: (MigrationRunner) throws -> T) throws -> T {
        let migrations = try MigrationCatalog.migrations(for: dialect)
        switch self {
        case .sqlite(let db): return try db.withWriter { try body(MigrationRunner(connection: $0, migrations: migrations)) }
        case .postgres(let db):
            return try db.withConnection { connection in
                try body(MigrationRunner(connection: connection, migrations: migrations, distribution: try CitusDistribution.detect(connection)))
            }
        }
    }
}
