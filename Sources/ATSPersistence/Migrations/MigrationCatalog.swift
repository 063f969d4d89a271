/// The migrations compiled into the binary (so it needs no files at run time, in the
/// repository or in a container). `EmbeddedMigrations.swift` is generated from
/// `db/migrations/` by `ats migrate embed` (and by `ats migrate new`); a test fails
/// when it is out of date.
public enum MigrationCatalog {
    public static func migrations(for dialect: SQLDialect) throws(MigrationError) -> [Migration] {
        let files = dialect == .sqlite ? EmbeddedMigrations.sqlite : EmbeddedMigrations.postgres
        var result: [Migration] = []
        for file in files {
            let migration = try Migration(fileName: file.name, contents: file.contents)
            if let clash = result.first(where: { $0.version == migration.version }) {
                throw .invalidFile(file.name, "version \(migration.version) is also used by \(clash.name); renumber one of them")
            }
            result.append(migration)
        }
        return result.sorted { $0.version < $1.version }
    }

    /// The Swift source of `EmbeddedMigrations.swift` for the given files (name, text).
    public static func renderEmbeddedSource(sqlite: [(name: String, contents: String)], postgres: [(name: String, contents: String)]) -> String {
        func literal(_ text: String) -> String {
            // A raw string delimiter longer than any run of '#' in the text.
            var hashes = "#"
            while text.contains("\"" + hashes) || text.contains(hashes + "\"") { hashes += "#" }
            return hashes + "\"\"\"\n" + text + "\n\"\"\"" + hashes
        }
        func list(_ files: [(name: String, contents: String)]) -> String {
            files.sorted { $0.name < $1.name }.map { "        (name: \"\($0.name)\", contents: \(literal($0.contents)))," }.joined(separator: "\n")
        }
        return """
        // Generated from db/migrations by `ats migrate embed`. Do not edit by hand.
        // swiftlint:disable all

        enum EmbeddedMigrations {
            static let sqlite: [(name: String, contents: String)] = [
        \(list(sqlite))
            ]

            static let postgres: [(name: String, contents: String)] = [
        \(list(postgres))
            ]
        }

        """
    }
}
