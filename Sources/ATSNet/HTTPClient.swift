import ATSSupport

/// An absolute `http(s)://host[:port]/path?query` URL as the client uses it: no user
/// info, no fragment, visible ASCII only.
public struct HTTPClientURL: Sendable, Equatable {
    public let isHTTPS: Bool
    /// The host as written, without the brackets of an IPv6 literal.
    public let host: String
    public let port: Int
    /// The request target: path and query (`/` when empty).
    public let target: String

    public init?(_ text: String) {
        guard text.utf8.count <= 2000, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            isHTTPS = true
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            isHTTPS = false
            rest = text.dropFirst(7)
        } else {
            return nil
        }
        guard !text.contains("#") else { return nil }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[rest.startIndex..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
            guard hostPart.contains(":") else { return nil }
        } else {
            let pieces = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { return nil }
            hostPart = pieces[0]
            portPart = pieces.count == 2 ? pieces[1] : nil
            guard hostPart.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) else { return nil }
        }
        guard !hostPart.isEmpty, hostPart.utf8.count <= 253 else { return nil }
        host = hostPart.lowercased()
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy(\.isNumber), let number = Int(portPart), (1...65535).contains(number) else { return nil }
            port = number
        } else {
            port = isHTTPS ? 443 : 80
        }
        let path = rest[authorityEnd...]
        target = path.isEmpty ? "/" : (path.hasPrefix("?") ? "/" + path : String(path))
    }

    /// The `Host` header: the host, bracketed when IPv6, with a port that is not the default.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (isHTTPS ? 443 : 80) ? name : "\(name):\(port)"
    }
}

/// An HTTP/1.1 client for deliveries to other people's servers (webhooks): one request
/// per connection (`Connection: close`), TLS verified against the system's CAs or
/// `caFile` with SNI, a connect timeout, a timeout on every read and write, a deadline for
/// the whole exchange, a cap on the response, and no redirects (a 3xx is just a status).
/// SSRF defence: the host is resolved once, every address is checked against
/// `SocketAddress.refusal` unless `allowPrivate`, and the connection goes to the
/// addresses that were checked.
public struct HTTPClient: Sendable {
    public struct Settings: Sendable, Equatable {
        public var connectTimeout = 5.0
        public var readTimeout = 10.0
        /// The whole exchange: resolve, connect, TLS, request, response.
        public var totalTimeout = 10.0
        public var maxResponseBody = 64 * 1024
        public var allowPrivate = false
        public var caFile: String?
        public init() {}
    }

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable { case refusedAddress, network, protocolError }
        public let kind: Kind
        public let description: String
        public init(_ kind: Kind, _ description: String) {
            self.kind = kind
            self.description = description
        }
    }

    public typealias Response = HTTPResponseParser.Response

    public let settings: Settings

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// The addresses `url`'s host resolves to, all of them allowed; else why not.
    public func checkedAddresses(_ url: HTTPClientURL) throws(Failure) -> [SocketAddress] {
        let addresses: [SocketAddress]
        do {
            addresses = try SocketAddress.resolve(url.host, port: url.port)
        } catch {
            throw Failure(.network, error.description)
        }
        if !settings.allowPrivate {
            // Any refused address refuses the host: a name with one public and one private
            // address must not reach the private one by retrying.
            for address in addresses {
                if let why = address.refusal { throw Failure(.refusedAddress, "\(url.host) resolves to a \(why) address (\(address)), which is refused") }
            }
        }
        return addresses
    }

    public func send(method: String = "POST", to url: HTTPClientURL, headers: [(String, String)], body: [UInt8]) throws(Failure) -> Response {
        let started = MonotonicClock.seconds()
        let addresses = try checkedAddresses(url)
        let left = settings.totalTimeout - (MonotonicClock.seconds() - started)
        guard left > 0 else { throw Failure(.network, "\(url.host) took longer than \(settings.totalTimeout) s to resolve") }
        let stream: ClientStream
        do {
            let socket = try BlockingSocket(addresses: addresses, host: url.host, port: url.port, timeout: min(settings.connectTimeout, left))
            stream = ClientStream(socket, host: url.host, timeout: settings.readTimeout, deadline: left, what: "the request")
            if url.isHTTPS { try stream.startTLS(serverName: url.host, caFile: settings.caFile) }
        } catch let error as BlockingSocket.Failure {
            throw Failure(.network, error.description)
        } catch let error as ClientStream.Failure {
            throw Failure(.network, error.description)
        } catch {
            throw Failure(.network, "\(error)")
        }
        var head = "\(method) \(url.target) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers where !value.contains("\r") && !value.contains("\n") { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var parser = HTTPResponseParser(maxBody: settings.maxResponseBody, expectsBody: method != "HEAD")
        do {
            try stream.write(Array(head.utf8) + body)
            var chunk = [UInt8](repeating: 0, count: 16 * 1024)
            while true {
                let n = try stream.read(into: &chunk)
                if n == 0 { return try parser.finish() }
                if let response = try parser.feed(chunk[0..<n]) { return response }
            }
        } catch let error as ClientStream.Failure {
            throw Failure(.network, error.description)
        } catch let error as HTTPResponseParser.Failure {
            throw Failure(.protocolError, "\(url.host): \(error.description)")
        } catch {
            throw Failure(.network, "\(error)")
        }
    }
}
