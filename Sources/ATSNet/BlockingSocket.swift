#if canImport(Glibc)
import Glibc
#endif

/// A client TCP connection with bounded waits: connecting tries every address of the
/// name (localhost: ::1, then 127.0.0.1) for at most `timeout` each, and every read and
/// write gives up after `timeout`. For the peers a worker thread talks to in turn (SMTP,
/// Redis), where blocking I/O with timeouts is simpler than an event loop.
public final class BlockingSocket {
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public let fd: Int32
    public let host: String
    public let port: Int

    public convenience init(host: String, port: Int, timeout: Double) throws(Failure) {
        let addresses = try SocketAddress.resolve(host, port: port)
        try self.init(addresses: addresses, host: host, port: port, timeout: timeout)
    }

    /// Connects to the first of `addresses` that answers (already resolved and, for
    /// webhooks, checked: no second lookup happens here).
    public init(addresses: [SocketAddress], host: String, port: Int, timeout: Double) throws(Failure) {
        self.host = host
        self.port = port
        var lastError = "no address"
        var connected: Int32 = -1
        for address in addresses where connected < 0 {
            let socketFD = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard socketFD >= 0 else { lastError = String(cString: strerror(errno)); continue }
            let flags = fcntl(socketFD, F_GETFL)
            _ = fcntl(socketFD, F_SETFL, flags | O_NONBLOCK)
            var rc = address.withSockaddr { connect(socketFD, $0, $1) }
            var error: Int32 = rc == 0 ? 0 : errno
            if rc != 0 && errno == EINPROGRESS {
                var pfd = pollfd(fd: socketFD, events: Int16(POLLOUT), revents: 0)
                rc = poll(&pfd, 1, Int32(timeout * 1000)) == 1 ? 0 : -1
                error = rc == 0 ? 0 : ETIMEDOUT
                var length = socklen_t(MemoryLayout<Int32>.size)
                if rc == 0 { getsockopt(socketFD, SOL_SOCKET, SO_ERROR, &error, &length) }
            }
            if error != 0 {
                lastError = String(cString: strerror(error))
                Glibc.close(socketFD)
                continue
            }
            _ = fcntl(socketFD, F_SETFL, flags)
            connected = socketFD
        }
        guard connected >= 0 else { throw Failure("cannot connect to \(host):\(port): \(lastError)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(connected, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(connected, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        fd = connected
    }

    deinit { Glibc.close(fd) }

    public func write(_ bytes: [UInt8]) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { raw in send(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                throw Failure("write to \(host):\(port) failed or timed out")
            }
            offset += n
        }
    }

    /// Some bytes (at most `into.count`); throws on EOF, error or timeout.
    public func read(into buffer: inout [UInt8]) throws(Failure) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress, raw.count, 0) }
            if n > 0 { return n }
            if n < 0 && errno == EINTR { continue }
            throw Failure(n == 0 ? "\(host):\(port) closed the connection" : "read from \(host):\(port) failed or timed out")
        }
    }
}
