import ATSSupport
import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// A connected client socket, optionally wrapped in TLS (OpenSSL, certificate and host
/// name verified, SNI), with a timeout on every wait and a deadline for the whole
/// exchange (so a peer answering a byte at a time cannot hold a delivery past its lease).
/// The socket is non-blocking: every wait is a `poll` bounded by the per-wait timeout and
/// by the time left. Shared by SMTP and the HTTP client.
public final class ClientStream {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    private let socket: BlockingSocket
    private var fd: Int32 { socket.fd }
    private var ssl: OpaquePointer?
    private var context: OpaquePointer?
    /// The peer as errors name it.
    public let host: String
    private let timeout: Double
    private let totalSeconds: Double
    private let deadline: Double
    /// What the deadline bounds, for its error ("the SMTP session").
    private let what: String

    /// `timeout`: the longest wait for one read or write; `deadline`: seconds the whole
    /// exchange may take, from now.
    public init(_ socket: BlockingSocket, host: String, timeout: Double, deadline: Double, what: String) {
        self.socket = socket
        self.host = host
        self.timeout = timeout
        self.totalSeconds = deadline
        self.deadline = MonotonicClock.seconds() + deadline
        self.what = what
        _ = fcntl(socket.fd, F_SETFL, fcntl(socket.fd, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        if let ssl {
            SSL_shutdown(ssl)
            SSL_free(ssl)
        }
        if let context { SSL_CTX_free(context) }
    }

    public var isEncrypted: Bool { ssl != nil }

    /// Whether bytes wait in the socket that we have not read.
    public var hasPendingInput: Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }

    /// Starts TLS, verifying the certificate against the system's CAs (or `caFile`) and
    /// `serverName` (also sent as SNI).
    public func startTLS(serverName: String, caFile: String?) throws(Failure) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Failure("TLS: cannot create a context") }
        self.context = context
        _ = copenssl_min_tls12(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let loaded = caFile.map { SSL_CTX_load_verify_locations(context, $0, nil) } ?? SSL_CTX_set_default_verify_paths(context)
        guard loaded == 1 else { throw Failure("TLS: cannot load the CA certificates\(caFile.map { " from \($0)" } ?? "")") }
        guard let ssl = SSL_new(context) else { throw Failure("TLS: cannot create a session") }
        self.ssl = ssl
        // An address literal is checked against the certificate's IP entries, a name
        // against its DNS names; SNI carries names only (RFC 6066).
        let isAddress = serverName.contains(":") || serverName.split(separator: ".").allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        if !isAddress { _ = copenssl_set_sni(ssl, serverName) }
        let nameSet = isAddress ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName) : SSL_set1_host(ssl, serverName)
        guard nameSet == 1, SSL_set_fd(ssl, fd) == 1 else { throw Failure("TLS: cannot set up the session") }
        while true {
            let rc = SSL_connect(ssl)
            if rc == 1 { break }
            if try waitForTLS(ssl, rc) { continue }
            let verify = SSL_get_verify_result(ssl)
            let reason = verify != Int(X509_V_OK) ? String(cString: X509_verify_cert_error_string(verify)) : Self.openSSLError()
            throw Failure("TLS handshake with \(host) failed: \(reason)")
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
    private func wait(_ events: Int32) throws(Failure) {
        while true {
            let remaining = deadline - MonotonicClock.seconds()
            guard remaining > 0 else { throw deadlineError }
            let limit = min(timeout, remaining)
            var pfd = pollfd(fd: fd, events: Int16(events), revents: 0)
            let rc = poll(&pfd, 1, Int32(max(1, (limit * 1000).rounded(.up))))
            if rc > 0 { return }
            if rc < 0 && errno == EINTR { continue }
            if rc == 0 && limit < timeout { throw deadlineError }
            throw Failure("\(host) timed out")
        }
    }

    private var deadlineError: Failure {
        Failure("\(what) with \(host) ran past its deadline of \(totalSeconds == totalSeconds.rounded() ? String(Int(totalSeconds)) : String(totalSeconds)) s")
    }

    private func checkDeadline() throws(Failure) {
        if MonotonicClock.seconds() >= deadline { throw deadlineError }
    }

    /// After an OpenSSL call returned `rc`: waits for what it needs and returns true to
    /// retry it, false when it failed.
    private func waitForTLS(_ ssl: OpaquePointer, _ rc: Int32) throws(Failure) -> Bool {
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ: try wait(Int32(POLLIN)); return true
        case SSL_ERROR_WANT_WRITE: try wait(Int32(POLLOUT)); return true
        default: return false
        }
    }

    /// After a read or write returned `n` (not above 0): waits until it may be tried again
    /// and returns true, or false when it failed for good (closed, reset).
    private func waitToRetry(_ n: Int, _ events: Int32) throws(Failure) -> Bool {
        if let ssl { return try waitForTLS(ssl, Int32(n)) }
        guard n < 0 else { return false }
        if errno == EINTR { return true }
        guard errno == EAGAIN || errno == EWOULDBLOCK else { return false }
        try wait(events)
        return true
    }

    public func write(_ bytes: [UInt8]) throws(Failure) {
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
                throw Failure("write to \(host) failed")
            }
        }
    }

    /// Some bytes into `buffer`; 0 when the peer closed the connection.
    public func read(into buffer: inout [UInt8]) throws(Failure) -> Int {
        while true {
            try checkDeadline()
            let n: Int = buffer.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return 0 }
                if let ssl { return Int(SSL_read(ssl, base, Int32(raw.count))) }
                return recv(fd, base, raw.count, 0)
            }
            if n > 0 { return n }
            if try !waitToRetry(n, Int32(POLLIN)) { return 0 }
        }
    }
}
