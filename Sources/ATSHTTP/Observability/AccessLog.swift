#if canImport(Glibc)
import ATSSupport
import Glibc
#endif

/// One JSON line per request on stderr. Each loop buffers its lines and writes them in
/// one call before it next sleeps, so logging costs a syscall per loop iteration, not
/// per request. Never logs a body or a header value other than the request id.
struct AccessLog {
    let enabled: Bool
    private var buffer: [UInt8] = []

    init(enabled: Bool) { self.enabled = enabled }

    mutating func append(time: String, method: String, route: String, status: Int, milliseconds: Double,
                         requestID: String, remote: String, fields: [(String, String)]) {
        guard enabled else { return }
        var line = "{\"time\":\"\(time)\",\"level\":\"info\",\"msg\":\"request\",\"method\":"
        line += JSON.quote(method)
        line += ",\"route\":"
        line += JSON.quote(route)
        line += ",\"status\":\(status),\"duration_ms\":\(Double(Int(milliseconds * 1000)) / 1000),\"request_id\":"
        line += JSON.quote(requestID)
        line += ",\"remote\":"
        line += JSON.quote(remote)
        for (key, value) in fields {
            line += ","
            line += JSON.quote(key)
            line += ":"
            line += JSON.quote(value)
        }
        line += "}\n"
        buffer.append(contentsOf: line.utf8)
        if buffer.count > 64 * 1024 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        var offset = 0
        buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            while offset < raw.count {
                let n = write(2, base + offset, raw.count - offset)
                if n <= 0 { if errno == EINTR { continue }; break }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
