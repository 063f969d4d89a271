import Synchronization
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
    /// What middleware learned about the request (typed by key), for the steps after it.
    public var values = RequestValues()
    /// Fields for this request's access-log line, added by any step (also when a later
    /// one fails: the error's response carries them too).
    public let log = RequestLogFields()

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

/// A key of `RequestValues`: a type naming one value and its type.
public protocol RequestValueKey {
    associatedtype Value: Sendable
}

/// Typed per-request storage that middleware fills for the steps after it (the HTTP
/// layer knows nothing of what is stored).
public struct RequestValues: Sendable {
    // A few entries per request: a linear scan beats hashing, and no table is allocated
    // for requests that store nothing.
    private var storage: [(key: ObjectIdentifier, value: any Sendable)] = []

    public init() {}

    public subscript<Key: RequestValueKey>(_ key: Key.Type) -> Key.Value? {
        get { storage.first { $0.key == ObjectIdentifier(key) }?.value as? Key.Value }
        set {
            storage.removeAll { $0.key == ObjectIdentifier(key) }
            if let newValue { storage.append((ObjectIdentifier(key), newValue)) }
        }
    }
}

/// One step around a route's handler: it may read or add to the context, answer by
/// itself, or call `next` and adjust the response. Steps run in the order registered.
public protocol HTTPMiddleware: Sendable {
    func handle(_ request: HTTPRequest, _ context: RequestContext, next: HTTPHandler) throws -> HTTPResponse
}

/// The access-log fields of one request. A reference, so that a step's fields survive a
/// later step's error; used by one thread at a time (the worker, then the loop after the
/// hand-off), the lock only makes that provable.
public final class RequestLogFields: Sendable {
    private let storage = Mutex<[(String, String)]>([])

    public init() {}

    public func add(_ name: String, _ value: String) { storage.withLock { $0.append((name, value)) } }

    public var fields: [(String, String)] { storage.withLock { $0 } }
}
