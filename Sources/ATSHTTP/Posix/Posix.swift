import ATSSupport
import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// Result of a non-blocking read or write.
enum IOResult: Equatable {
    case processed(Int)
    case wouldBlock
    case closed
}

/// Thin wrappers over the socket system calls, retrying EINTR.
enum Posix {
    /// Creates, binds and listens on a non-blocking TCP socket; returns it and the bound port.
    static func listen(host: String, port: Int, backlog: Int32) throws -> (fd: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var info: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &info)
        guard rc == 0, let first = info else {
            throw SystemError("getaddrinfo(\(host))", errno: rc == EAI_SYSTEM ? Glibc.errno : EINVAL)
        }
        defer { freeaddrinfo(info) }

        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | ats_SOCK_NONBLOCK | ats_SOCK_CLOEXEC, 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            let error = SystemError("bind(\(host):\(port))")
            Glibc.close(fd)
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = SystemError("listen")
            Glibc.close(fd)
            throw error
        }
        return (fd, try localPort(fd))
    }

    static func localPort(_ fd: Int32) throws -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { throw SystemError("getsockname") }
        return Int(UInt16(bigEndian: withUnsafeBytes(of: storage) { $0.load(fromByteOffset: 2, as: UInt16.self) }))
    }

    /// Accepts one connection (non-blocking, close-on-exec); nil when none is waiting.
    static func accept(_ fd: Int32) throws -> (fd: Int32, peer: PeerAddress?)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        while true {
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { ats_accept4(fd, $0, &length, ats_SOCK_NONBLOCK | ats_SOCK_CLOEXEC) }
            }
            if client >= 0 { return (client, peerAddress(storage)) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            // The peer gave up before we accepted it: nothing to do.
            case ECONNABORTED, EPROTO: continue
            default: throw SystemError("accept4")
            }
        }
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .processed(n) }
            if n == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .closed
            }
        }
    }

    /// Gathers `iov` into one `sendmsg` (writev with MSG_NOSIGNAL, so a vanished peer is
    /// an error result, never SIGPIPE).
    static func writev(_ fd: Int32, _ iov: UnsafeMutableBufferPointer<iovec>) -> IOResult {
        var message = msghdr()
        message.msg_iov = iov.baseAddress
        message.msg_iovlen = iov.count
        while true {
            let n = sendmsg(fd, &message, ats_MSG_NOSIGNAL)
            if n >= 0 { return .processed(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .closed
            }
        }
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// The address and port of an IPv4 or IPv6 socket address; nil for other families.
    static func peerAddress(_ storage: sockaddr_storage) -> PeerAddress? {
        let family = Int32(storage.ss_family)
        return withUnsafeBytes(of: storage) { raw -> PeerAddress? in
            switch family {
            case AF_INET:
                let address = raw.load(as: sockaddr_in.self)
                guard let ip = IPAddress(bytes: withUnsafeBytes(of: address.sin_addr) { Array($0) }) else { return nil }
                return PeerAddress(ip: ip, port: UInt16(bigEndian: address.sin_port))
            case AF_INET6:
                let address = raw.load(as: sockaddr_in6.self)
                guard let ip = IPAddress(bytes: withUnsafeBytes(of: address.sin6_addr) { Array($0) }) else { return nil }
                return PeerAddress(ip: ip, port: UInt16(bigEndian: address.sin6_port))
            default:
                return nil
            }
        }
    }
}

/// A NUL-terminated C character buffer as a String.
func cString(_ chars: [CChar]) -> String {
    String(decoding: chars.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
