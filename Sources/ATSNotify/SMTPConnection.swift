import ATSNet
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

/// One SMTP session over a blocking socket with timeouts on connect, every read and every
/// write, optionally wrapped in TLS (OpenSSL, certificate and host name verified).
final class SMTPConnection {
    private let socket: BlockingSocket
    private var fd: Int32 { socket.fd }
    private var ssl: OpaquePointer?
    private var context: OpaquePointer?
    private var buffer: [UInt8] = []
    let host: String

    init(host: String, port: Int, timeout: Double) throws(SMTPError) {
        self.host = host
        do {
            socket = try BlockingSocket(host: host, port: port, timeout: timeout)
        } catch {
            throw SMTPError(error.description)
        }
    }

    deinit {
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
        }
        if let context { SSL_CTX_free(context) }
    }

    var isEncrypted: Bool { ssl != nil }

    /// Starts TLS on the connection, verifying the certificate against the system's CAs
    /// (or `caFile`) and the host name.
    func startTLS(caFile: String?) throws(SMTPError) {
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
        guard SSL_connect(ssl) == 1 else {
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

    func write(_ text: String) throws(SMTPError) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n: Int = bytes[offset...].withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return 0 }
                if let ssl { return Int(SSL_write(ssl, base, Int32(raw.count))) }
                return send(fd, base, raw.count, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 {
                if ssl == nil && n < 0 && errno == EINTR { continue }
                throw SMTPError("write to \(host) failed or timed out")
            }
            offset += n
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
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n: Int = chunk.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return 0 }
                if let ssl { return Int(SSL_read(ssl, base, Int32(raw.count))) }
                return recv(fd, base, raw.count, 0)
            }
            if n <= 0 {
                if ssl == nil && n < 0 && errno == EINTR { continue }
                throw SMTPError("\(host) closed the connection or timed out")
            }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}
