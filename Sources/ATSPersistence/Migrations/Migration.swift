import ATSDomain
import ATSSupport
import CSodium

/// One versioned schema change for one dialect, from a file `NNNN_name.sql` with a
/// `-- migrate:up` section and a `-- migrate:down` section.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let up: String
    public let down: String
    /// SHA-256 of the whole file, hex: an applied file that changes is refused.
    public let checksum: String

    public init(version: Int, name: String, up: String, down: String, checksum: String) {
        self.version = version
        self.name = name
        self.up = up
        self.down = down
        self.checksum = checksum
    }

    /// Parses `0001_initial.sql` and its text.
    public init(fileName: String, contents: String) throws(MigrationError) {
        guard fileName.hasSuffix(".sql") else { throw .invalidFile(fileName, "the name must end in .sql") }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0,
              stem[..<underscore].count == 4 || stem[..<underscore].count > 4 else {
            throw .invalidFile(fileName, "the name must look like 0001_description.sql")
        }
        let name = String(stem[stem.index(after: underscore)...])
        guard !name.isEmpty else { throw .invalidFile(fileName, "the name needs a description after the version") }
        var up: [Substring] = []
        var down: [Substring] = []
        var section = 0  // 0 before any marker, 1 up, 2 down
        for line in contents.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimming(" \t\r")
            if trimmed == "-- migrate:up" {
                guard section == 0 else { throw .invalidFile(fileName, "'-- migrate:up' must come first and once") }
                section = 1
            } else if trimmed == "-- migrate:down" {
                guard section == 1 else { throw .invalidFile(fileName, "'-- migrate:down' must follow '-- migrate:up', once") }
                section = 2
            } else if section == 1 {
                up.append(line)
            } else if section == 2 {
                down.append(line)
            } else if !trimmed.isEmpty && !trimmed.hasPrefix("--") {
                throw .invalidFile(fileName, "SQL before '-- migrate:up'")
            }
        }
        guard section == 2 else { throw .invalidFile(fileName, "missing '-- migrate:up' or '-- migrate:down'") }
        self.init(version: version, name: name, up: up.joined(separator: "\n"), down: down.joined(separator: "\n"),
                  checksum: Migration.sha256(contents))
    }

    public static func sha256(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        let bytes = Array(text.utf8)
        _ = crypto_hash_sha256(&digest, bytes, UInt64(bytes.count))
        let hex: [Character] = Array("0123456789abcdef")
        return String(digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }

    /// The file a `migrate new NAME` starts from.
    public static func template(name: String) -> String {
        "-- migrate:up\n\n\n-- migrate:down\n\n"
    }
}

/// A migration recorded in `schema_migrations`.
public struct AppliedMigration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let checksum: String
    public let appliedAt: String
}

public enum MigrationError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidFile(String, String)
    case changed(version: Int, name: String)
    case unknownApplied([Int])
    case noSuchVersion(Int)
    case failed(version: Int, name: String, reason: String)
    case database(String)

    public var description: String {
        switch self {
        case .invalidFile(let file, let why): return "migration file \(file): \(why)"
        case .changed(let version, let name):
            return "migration \(version) (\(name)) was changed after it was applied (checksum differs); restore the file, or write a new migration"
        case .unknownApplied(let versions):
            return "the database has migrations this binary does not know (\(versions.map(String.init).joined(separator: ", "))); run a newer ats"
        case .noSuchVersion(let version): return "no migration has version \(version)"
        case .failed(let version, let name, let reason): return "migration \(version) (\(name)) failed and was rolled back: \(reason)"
        case .database(let why): return why
        }
    }
}
