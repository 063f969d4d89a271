import ATSSupport

/// What the server knows about a request besides the request itself.
public struct RequestContext: Sendable {
    /// `X-Request-ID` as received (when well-formed) or generated.
    public let requestID: String
    /// The matched route's template (`/api/jobs/{id}`), for logs and metrics.
    public let route: String
    /// `{name}` segments of the route, percent-decoded.
    public let parameters: [String: String]
    /// The connection's peer (the client, or the proxy in front of it); nil in tests
    /// that call a handler directly.
    public let peer: PeerAddress?

    public init(requestID: String, route: String, parameters: [String: String] = [:], peer: PeerAddress? = nil) {
        self.requestID = requestID
        self.route = route
        self.parameters = parameters
        self.peer = peer
    }

    /// The peer as text: `192.0.2.1:5555`, `[2001:db8::5]:5555`, or empty when unknown.
    public var remoteAddress: String { peer?.description ?? "" }
}

/// A route handler. It runs on an event-loop thread (`.inline`, which must never block)
/// or on the bounded worker pool (`.blocking`, for anything that does I/O).
public typealias HTTPHandler = @Sendable (HTTPRequest, RequestContext) throws -> HTTPResponse

public enum HandlerMode: Sendable {
    case inline
    case blocking
}
