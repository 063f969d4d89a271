
import ATSSupport
import ATSNet
#if canImport(Glibc)
import Glibc
#endif

/// Where Redis is, from `REDIS_URL`: `redis://[[user]:password@]host[:port][/db]`.
public struct RedisSettings: Sendable, Equatable {
    public var host: String
    public var port = 6379
    public var username: String?
    public var password: String?
    public var database = 0
    public var timeout = 5.0

    /// nil when the URL is not of that form (the caller names the variable; the value may
    /// hold a password, so it is never echoed).
    public init?(url: String) {
        guard url.hasPrefix("redis://") else { return nil }
        var rest = url.dropFirst(8)
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            if !db.isEmpty {
                guard let n = Int(db), (0...15).contains(n) else { return nil }
                database = n
            }
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if credentials.count == 2 {
                username = credentials[0].isEmpty ? nil : String(credentials[0])
                password = String(credentials[1])
            } else {
                password = String(credentials[0])
            }
            rest = rest[rest.index(after: at)...]
        }
        if let colon = rest.lastIndex(of: ":") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
            rest = rest[..<colon]
        }
        guard !rest.isEmpty else { return nil }
        host = String(rest)
    }
}

/// Why a Redis command failed.
public enum RedisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Redis cannot be reached now (down, refusing, timing out); later calls reconnect.
    case unavailable(String)
    /// Redis answered with an error reply.
    case server(String)
    /// The reply broke the protocol; the connection was dropped.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .unavailable(let why): return "Redis unavailable: \(why)"
        case .server(let message): return "Redis error: \(message)"
        case .protocolViolation(let why): return "Redis protocol error: \(why)"
        }
    }
}

/// A Redis connection used by one thread at a time: RESP2 over a blocking socket with
/// connect, read and write timeouts; AUTH and SELECT from the settings on every
/// (re)connect; after a failure the next call reconnects, waiting with exponential
/// back-off (0.1 s doubling to 5 s) rather than hammering a server that is down.
public final class RedisClient {
    public let settings: RedisSettings
    private var socket: BlockingSocket?
    private var buffer: [UInt8] = []
    private var start = 0
    private var failures = 0
    private var nextAttempt = 0.0

    public init(settings: RedisSettings) {
        self.settings = settings
    }

    /// Sends one command and returns its reply; an error reply throws `.server`.
    @discardableResult
    public func command(_ parts: [String]) throws(RedisError) -> RESPValue {
        let connection = try connected()
        do {
            try connection.write(RESP.command(parts))
            let reply = try readReply(connection)
            if case .error(let message) = reply { throw RedisError.server(message) }
            return reply
        } catch let error as RedisError {
            if case .server = error { throw error }
            drop()
            throw error
        } catch {
            drop()
            throw RedisError.unavailable("\(error)")
        }
    }

    /// Sends several commands in one write and reads their replies in order (one round
    /// trip); error replies come back as `.error` values, not thrown.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        let connection = try connected()
        do {
            var bytes: [UInt8] = []
            for parts in commands { bytes += RESP.command(parts) }
            try connection.write(bytes)
            var replies: [RESPValue] = []
            replies.reserveCapacity(commands.count)
            for _ in commands { replies.append(try readReply(connection)) }
            return replies
        } catch let error as RedisError {
            drop()
            throw error
        } catch {
            drop()
            throw RedisError.unavailable("\(error)")
        }
    }

    private func connected() throws(RedisError) -> BlockingSocket {
        if let socket { return socket }
        let now = MonotonicClock.seconds()
        guard now >= nextAttempt else {
            throw .unavailable("reconnecting to \(settings.host):\(settings.port) in \(Int((nextAttempt - now) * 1000)) ms")
        }
        do {
            let socket = try BlockingSocket(host: settings.host, port: settings.port, timeout: settings.timeout)
            self.socket = socket
            buffer = []
            start = 0
            if let password = settings.password {
                try handshake(socket, settings.username.map { ["AUTH", $0, password] } ?? ["AUTH", password])
            }
            if settings.database != 0 { try handshake(socket, ["SELECT", String(settings.database)]) }
            failures = 0
            return socket
        } catch {
            drop()
            if let redis = error as? RedisError { throw redis }
            throw .unavailable("\(error)")
        }
    }

    private func handshake(_ socket: BlockingSocket, _ parts: [String]) throws {
        try socket.write(RESP.command(parts))
        if case .error(let message) = try readReply(socket) {
            // Never echo the password: name only the command that failed.
            throw RedisError.server("\(parts[0]) failed: \(message)")
        }
    }

    private func readReply(_ socket: BlockingSocket) throws -> RESPValue {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            do {
                if let value = try RESP.parse(buffer, start: &start) {
                    if start == buffer.count {
                        buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
                        start = 0
                    }
                    return value
                }
            } catch {
                throw RedisError.protocolViolation(error.description)
            }
            let n = try socket.read(into: &chunk)
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    private func drop() {
        socket = nil
        buffer = []
        start = 0
        failures += 1
        nextAttempt = MonotonicClock.seconds() + min(5.0, 0.1 * pow(2.0, Double(min(failures - 1, 6))))
    }
}
