import ATSConfiguration
import ATSDomain
import ATSSupport
#if canImport(Glibc)
import Glibc
#endif

/// The process environment and `./.env`, read once at start-up.
enum ProcessEnvironment {
    static func variables() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// `./.env` parsed, or empty when there is none.
    static func dotEnv() throws(ConfigError) -> [String: String] {
        guard let file = fopen(".env", "r") else {
            if errno == ENOENT { return [:] }
            throw ConfigError(".env", "cannot be read: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > 1 << 20 { throw ConfigError(".env", "is larger than 1 MiB") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ConfigError(".env", "is not UTF-8") }
        return try DotEnv.parse(text)
    }

    static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    static func loadConfiguration() throws(ConfigError) -> Configuration {
        try Configuration.load(environment: variables(), dotEnv: dotEnv(), cores: cores)
    }

    /// Raises the open-file limit to its hard maximum: each connection is a descriptor.
    static func raiseFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }
}
