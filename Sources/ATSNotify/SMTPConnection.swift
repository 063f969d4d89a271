import ATSNet
import ATSSupport
import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Why an SMTP exchange failed. Every case is retried by the dispatcher; the text ends up
/// in the outbox row's `last_error` (never with credentials in it).
public struct SMTPError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One SMTP session over a socket with a timeout on connect and on every wait for the
/// server, and a deadline for the whole session (so a server answering a byte at a time
/// cannot hold a delivery past its lease), optionally wrapped in TLS (OpenSSL,
/// certificate and host name verified). The socket is non-blocking after connect: every
/// wait is a `poll` bounded by the per-wait timeout and by the time left.
final class SMTPConnection {
    private let socket: BlockingSocket
    private var fd: Int32 { socket.fd }
    private var ssl: OpaquePointer?
    private var context: OpaquePointer?
    private var buffer: [UInt8] = []
    let host: String
    private let timeout: Double
    private let totalSeconds: Double
    private let deadline: Double

    /// `timeout`: the longest wait for one read, write or the connect; `deadline`: seconds
    /// the whole session may take, from now.
    init(host: String, port: Int, timeout: Double, deadline: Double) throws(SMTPError) {
        self.host = host
        self.timeout = timeout
        self.totalSeconds = deadline
        self.deadline = MonotonicClock.seconds() + deadline
        do {
            socket = try BlockingSocket(host: host, port: port, timeout: min(timeout, deadline))
        } catch {
            throw SMTPError(error.description)
        }
        _ = fcntl(socket.fd, F_SETFL, fcntl(socket.fd, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
        }
        if let context { SSL_CTX_free(context) }
    }

    var isEncrypted: Bool { ssl != nil }

    /// Whether the server sent anything we have not read: bytes left in our buffer, or
    /// waiting in the socket. After the 220 reply to STARTTLS nothing may follow before
    /// our TLS handshake; bytes there were sent (or injected on the path) in plain text
    /// and must never be read as replies of the encrypted session (CVE-2011-0411).
    var hasUnreadInput: Bool {
        if !buffer.isEmpty { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    /// Starts TLS on the connection, verifying the certificate against the system's CAs
    /// (or `caFile`) and the host name. Plain-text bytes read before it are dropped.
    func startTLS(caFile: String?) throws(SMTPError) {
        buffer.removeAll()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw SMTPError("TLS: cannot create a context") }
        self.context = context
        _ = copenssl_min_tls12(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let loaded = caFile.map { SSL_CTX_load_verify_locations(context, $0, nil) } ?? SSL_CTX_set_default_verify_paths(context)
        guard loaded == 1 else { throw SMTPError("TLS: cannot load the CA certificates\(caFile.map { " from \($0)" } ?? "")") }
        guard let ssl = SSL_new(context) else { throw SMTPError("TLS: cannot create a session") }
        self.ssl = ssl
        _ = copenssl_set_sni(ssl, host)
        guard SSL_set1_host(ssl, host) == 1, SSL_set_fd(ssl, fd) == 1 else { throw SMTPError("TLS: cannot set up the session") }
        while true {
            let rc = SSL_connect(ssl)
            if rc == 1 { break }
            if try waitForTLS(ssl, rc) { continue }
            let verify = SSL_get_verify_result(ssl)
            let reason = verify != Int(X509_V_OK) ? String(cString: X509_verify_cert_error_string(verify)) : SMTPConnection.openSSLError()
            throw SMTPError("TLS handshake with \(host) failed: \(reason)")
        }
    }

    private static func openSSLError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "connection closed" }
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Waits until the socket is ready for `events`: at most `timeout`, never past the deadline.
    private func wait(_ events: Int32) throws(SMTPError) {
        while true {
            let remaining = deadline - MonotonicClock.seconds()
            guard remaining > 0 else { throw deadlineError }
            let limit = min(timeout, remaining)
            var pfd = pollfd(fd: fd, events: Int16(events), revents: 0)
            let rc = poll(&pfd, 1, Int32(max(1, (limit * 1000).rounded(.up))))
            if rc > 0 { return }
            if rc < 0 && errno == EINTR { continue }
            if rc == 0 && limit < timeout { throw deadlineError }
            throw SMTPError("\(host) timed out")
        }
    }

    private var deadlineError: SMTPError {
        SMTPError("the SMTP session with \(host) ran past its deadline of \(totalSeconds.formatted) s")
    }

    private func checkDeadline() throws(SMTPError) {
        if MonotonicClock.seconds() >= deadline { throw deadlineError }
    }

    /// After an OpenSSL call returned `rc`: waits for what it needs and returns true to
    /// retry it, false when it failed.
    private func waitForTLS(_ ssl: OpaquePointer, _ rc: Int32) throws(SMTPError) -> Bool {
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ: try wait(Int32(POLLIN)); return true
        case SSL_ERROR_WANT_WRITE: try wait(Int32(POLLOUT)); return true
        default: return false
        }
    }

    /// After a read or write returned `n` (not above 0): waits until it may be tried again
    /// (`events` on a plain socket; what OpenSSL asks for under TLS) and returns true, or
    /// false when it failed for good (closed, reset).
    private func waitToRetry(_ n: Int, _ events: Int32) throws(SMTPError) -> Bool {
        if let ssl { return try waitForTLS(ssl, Int32(n)) }
        guard n < 0 else { return false }
        if errno == EINTR { return true }
        guard errno == EAGAIN || errno == EWOULDBLOCK else { return false }
        try wait(events)
        return true
    }

    func write(_ text: String) throws(SMTPError) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            try checkDeadline()
            let n: Int = bytes[offset...].withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return 0 }
                if let ssl { return Int(SSL_write(ssl, base, Int32(raw.count))) }
                return send(fd, base, raw.count, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                offset += n
            } else if try !waitToRetry(n, Int32(POLLOUT)) {
                throw SMTPError("write to \(host) failed")
            }
        }
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
            try checkDeadline()
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n: Int = chunk.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return 0 }
                if let ssl { return Int(SSL_read(ssl, base, Int32(raw.count))) }
                return recv(fd, base, raw.count, 0)
            }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
            } else if try !waitToRetry(n, Int32(POLLIN)) {
                throw SMTPError("\(host) closed the connection")
            }
        }
    }
}

extension Double {
    /// `90`, `1.5`: seconds as written in settings.
    fileprivate var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}
