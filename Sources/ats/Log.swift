import ATSCore
import ATSHTTP
#if canImport(Glibc)
import Glibc
#endif

/// Process-level log lines (start-up, shutdown, fatal errors) as JSON on stderr, in the
/// same shape as the server's access log. Never given secrets.
struct Log {
    let level: Configuration.LogLevel

    func info(_ message: String, _ fields: [(String, String)] = []) { write("info", message, fields, enabled: level == .debug || level == .info) }
    func warn(_ message: String, _ fields: [(String, String)] = []) { write("warn", message, fields, enabled: level != .error) }
    func error(_ message: String, _ fields: [(String, String)] = []) { write("error", message, fields, enabled: true) }

    private func write(_ severity: String, _ message: String, _ fields: [(String, String)], enabled: Bool) {
        guard enabled else { return }
        var line = "{\"time\":\(JSON.quote(Log.timestamp())),\"level\":\"\(severity)\",\"msg\":\(JSON.quote(message))"
        for (key, value) in fields { line += ",\(JSON.quote(key)):\(JSON.quote(value))" }
        line += "}\n"
        writeStandardError(line)
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ n: Int32, _ width: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))."
            + pad(Int32(ts.tv_nsec / 1_000_000), 3) + "Z"
    }
}

/// Writes `text` to file descriptor 2 in full (no stdio buffering, no shared FILE state).
func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    bytes.withUnsafeMutableBytes { raw in
        guard let base = raw.baseAddress else { return }
        while offset < raw.count {
            let n = write(2, base + offset, raw.count - offset)
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}
