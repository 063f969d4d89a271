#if canImport(Glibc)
import Glibc
#endif

public enum LogLevel: String, Sendable, CaseIterable {
    case debug, info, warn, error
}

/// Log lines as JSON on stderr, in the same shape as the server's access log
/// (`time`, `level`, `msg`, then the fields). Never given secrets or bound SQL values.
public struct Logger: Sendable {
    public let level: LogLevel
    /// Where lines go: stderr, or a test's collector.
    private let sink: @Sendable (String) -> Void

    public init(level: LogLevel, sink: @escaping @Sendable (String) -> Void = writeStandardError) {
        self.level = level
        self.sink = sink
    }

    public func info(_ message: String, _ fields: [(String, String)] = []) { write("info", message, fields, enabled: level == .debug || level == .info) }
    public func warn(_ message: String, _ fields: [(String, String)] = []) { write("warn", message, fields, enabled: level != .error) }
    public func error(_ message: String, _ fields: [(String, String)] = []) { write("error", message, fields, enabled: true) }

    private func write(_ severity: String, _ message: String, _ fields: [(String, String)], enabled: Bool) {
        guard enabled else { return }
        var clock = WallClock()
        clock.refresh()
        var line = "{\"time\":\(JSON.quote(clock.iso8601Milliseconds)),\"level\":\"\(severity)\",\"msg\":\(JSON.quote(message))"
        for (key, value) in fields { line += ",\(JSON.quote(key)):\(JSON.quote(value))" }
        line += "}\n"
        sink(line)
    }
}

/// Writes `text` to file descriptor 2 in full (no stdio buffering, no shared FILE state).
public func writeStandardError(_ text: String) {
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
