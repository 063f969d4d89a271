import ATSNet
import ATSSupport
#if canImport(Glibc)
import Glibc
#endif

/// Why an SMTP exchange failed. Every case is retried by the dispatcher; the text ends up
/// in the outbox row's `last_error` (never with credentials in it).
public struct SMTPError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One SMTP session over a `ClientStream` (timeouts on connect and on every wait, a
/// deadline for the whole session, TLS after STARTTLS or from the start).
final class SMTPConnection {
    private let stream: ClientStream
    private var buffer: [UInt8] = []
    let host: String

    /// `timeout`: the longest wait for one read, write or the connect; `deadline`: seconds
    /// the whole session may take, from now.
    init(host: String, port: Int, timeout: Double, deadline: Double) throws(SMTPError) {
        self.host = host
        do {
            let socket = try BlockingSocket(host: host, port: port, timeout: min(timeout, deadline))
            stream = ClientStream(socket, host: host, timeout: timeout, deadline: deadline, what: "the SMTP session")
        } catch {
            throw SMTPError(error.description)
        }
    }

    var isEncrypted: Bool { stream.isEncrypted }

    /// Whether the server sent anything we have not read: bytes left in our buffer, or
    /// waiting in the socket. After the 220 reply to STARTTLS nothing may follow before
    /// our TLS handshake; bytes there were sent (or injected on the path) in plain text
    /// and must never be read as replies of the encrypted session (CVE-2011-0411).
    var hasUnreadInput: Bool { !buffer.isEmpty || stream.hasPendingInput }

    /// Starts TLS on the connection, verifying the certificate against the system's CAs
    /// (or `caFile`) and the host name. Plain-text bytes read before it are dropped.
    func startTLS(caFile: String?) throws(SMTPError) {
        buffer.removeAll()
        do { try stream.startTLS(serverName: host, caFile: caFile) } catch { throw SMTPError(error.description) }
    }

    func write(_ text: String) throws(SMTPError) {
        do { try stream.write(Array(text.utf8)) } catch { throw SMTPError(error.description) }
    }

    /// One reply: its code and text lines (multi-line replies joined), bounded in size.
    func readReply() throws(SMTPError) -> (code: Int, lines: [String]) {
        var lines: [String] = []
        while true {
            let line = try readLine()
            guard line.utf8.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPError("malformed reply from \(host)") }
            lines.append(String(line.dropFirst(4)))
            if lines.count > 100 { throw SMTPError("reply from \(host) too long") }
            if line.utf8.count == 3 || line.dropFirst(3).first == " " { return (code, lines) }
        }
    }

    private func readLine() throws(SMTPError) -> String {
        while true {
            if let lf = buffer.firstIndex(of: 0x0A) {
                let end = lf > 0 && buffer[lf - 1] == 0x0D ? lf - 1 : lf
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(lf + 1)
                return line
            }
            if buffer.count > 4096 { throw SMTPError("reply line from \(host) too long") }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n: Int
            do { n = try stream.read(into: &chunk) } catch { throw SMTPError(error.description) }
            guard n > 0 else { throw SMTPError("\(host) closed the connection") }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
