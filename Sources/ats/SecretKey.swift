import ATSAuth
import ATSConfiguration
import ATSDomain
import ATSSupport
import ATSSQLite
#if canImport(Glibc)
import Glibc
#endif

/// Where the token-signing key comes from: SECRET_KEY; else, on SQLite only, a random key
/// made once and kept beside the database (`<db>.secret`, mode 0600) so tokens survive
/// restarts; on PostgreSQL a missing key refuses to start.
enum SecretKey {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "SECRET_KEY: must be set (at least 32 bytes) when DATABASE_URL is PostgreSQL" }
    }

    static func resolve(_ config: Configuration, log: Logger) throws -> [UInt8] {
        if let key = config.secretKey { return Array(key.utf8) }
        guard !config.isPostgres, let dbPath = SQLiteDatabase.path(fromURL: config.databaseURL) else { throw Missing() }
        let path = dbPath + ".secret"
        if FileSystem.exists(path) {
            try restrictToOwner(path, log: log)
            let text = try FileSystem.read(path).trimming(" \n\r\t")
            if let problem = Configuration.secretKeyProblem(text) {
                throw StorageCommands.Failure("\(path): the key it holds \(problem); or delete the file to have a new one made")
            }
            log.warn("SECRET_KEY is not set; using the development key kept in \(path)")
            return Array(text.utf8)
        }
        let key = try SecureRandom.password(length: 48)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw StorageCommands.Failure("cannot create \(path): \(String(cString: strerror(errno)))") }
        let bytes = Array((key + "\n").utf8)
        let written = write(fd, bytes, bytes.count)
        close(fd)
        guard written == bytes.count else { throw StorageCommands.Failure("cannot write \(path)") }
        log.warn("SECRET_KEY is not set; generated a development key in \(path) (set SECRET_KEY in production)")
        return Array(key.utf8)
    }

    /// A key file others may read or write is set to 0600, with a warning; one whose mode
    /// cannot be changed (someone else's file) is refused.
    static func restrictToOwner(_ path: String, log: Logger) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw StorageCommands.Failure("cannot stat \(path): \(String(cString: strerror(errno)))") }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 != 0 else { return }
        guard chmod(path, 0o600) == 0 else {
            throw StorageCommands.Failure("\(path) is readable by others (mode \(String(mode, radix: 8))) and cannot be set to 0600: \(String(cString: strerror(errno)))")
        }
        log.warn("\(path) was open to others (mode \(String(mode, radix: 8))); set it to 0600")
    }
}
