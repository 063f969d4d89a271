/// What the server knows about a request besides the request itself.
public struct RequestContext: Sendable {
    /// `X-Request-ID` as received (when well-formed) or generated.
    public let requestID: String
    /// The matched route's template (`/api/jobs/{id}`), for logs and metrics.
    public let route: String
    /// `{name}` segments of the route, percent-decoded.
    public let parameters: [String: String]
    /// The peer's address, `ip:port`.
    public let remoteAddress: String

    public init(requestID: String, route: String, parameters: [String: String] = [:], remoteAddress: String = "") {
        self.requestID = requestID
        self.route = route
        self.parameters = parameters
        self.remoteAddress = remoteAddress
    }
}

/// A route handler. It runs on an event-loop thread (`.inline`, which must never block)
/// or on the bounded worker pool (`.blocking`, for anything that does I/O).
public typealias HTTPHandler = @Sendable (HTTPRequest, RequestContext) throws -> HTTPResponse

public enum HandlerMode: Sendable {
    case inline
    case blocking
}
