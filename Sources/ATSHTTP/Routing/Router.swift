import ATSSupport
/// Maps method and path to a handler. Templates are made of static segments and
/// `{name}` segments; `/x` and `/x/` are the same path. Build it once, then share it.
public struct Router: Sendable {
    public struct Route: Sendable {
        public let method: String
        public let template: String
        public let mode: HandlerMode
        public let handler: HTTPHandler
        /// The largest request body this route takes; nil: the server's default
        /// (`HTTPParserLimits.maxBody`). An upload route declares more.
        public let maxBody: Int?
        fileprivate let segments: [Segment]
    }

    fileprivate enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public enum Match: Sendable {
        case found(Route, parameters: [String: String])
        /// The path exists, but not for this method; `allow` lists the methods it has.
        case methodNotAllowed(allow: [String])
        case notFound
    }

    public private(set) var routes: [Route] = []
    /// Routes without parameters by normalized path: most requests are found here with
    /// one hash lookup instead of a scan.
    private var staticRoutes: [String: [Int]] = [:]

    /// Wraps the handlers of routes added from now on (`use`).
    private var middleware: [any HTTPMiddleware] = []

    public init() {}

    /// Runs `step` around every route added after this call (earlier `use` calls wrap
    /// later ones), so a group of routes shares its steps and the health routes added
    /// before stay bare.
    public mutating func use(_ step: any HTTPMiddleware) {
        middleware.append(step)
    }

    public mutating func add(_ method: String, _ template: String, mode: HandlerMode = .blocking, maxBody: Int? = nil, _ handler: @escaping HTTPHandler) {
        let segments = Router.split(template[...]).map { part -> Segment in
            if part.hasPrefix("{") && part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(String(part))
        }
        if !segments.contains(where: { if case .parameter = $0 { return true } else { return false } }) {
            staticRoutes[Router.normalize(template[...]), default: []].append(routes.count)
        }
        let wrapped = middleware.reversed().reduce(handler) { next, step -> HTTPHandler in
            { request, context in try step.handle(request, context, next: next) }
        }
        routes.append(Route(method: method, template: template, mode: mode, handler: wrapped, maxBody: maxBody, segments: segments))
    }

    private static func normalize(_ path: Substring) -> String {
        path.utf8.count > 1 && path.utf8.last == UInt8(ascii: "/") ? String(path.utf8.dropLast()) ?? String(path) : String(path)
    }

    public mutating func get(_ template: String, mode: HandlerMode = .blocking, _ handler: @escaping HTTPHandler) {
        add("GET", template, mode: mode, handler)
    }

    public mutating func post(_ template: String, mode: HandlerMode = .blocking, _ handler: @escaping HTTPHandler) {
        add("POST", template, mode: mode, handler)
    }

    /// Pairs of routes of one method whose templates match the same paths (`{name}`
    /// segments as wildcards): the later one could never answer. The API's tests require
    /// none; a new feature's routes file is checked by the same test.
    public var conflicts: [(String, String)] {
        var found: [(String, String)] = []
        for (i, a) in routes.enumerated() {
            for b in routes[(i + 1)...] where a.method == b.method && a.segments.count == b.segments.count {
                let same = zip(a.segments, b.segments).allSatisfy { pair in
                    switch pair {
                    case (.parameter, .parameter): return true
                    case (.literal(let x), .literal(let y)): return x == y
                    default: return false
                    }
                }
                if same { found.append(("\(a.method) \(a.template)", "\(b.method) \(b.template)")) }
            }
        }
        return found
    }

    /// Finds the route for `method` and `path`. HEAD is served by GET routes.
    /// A path that a literal route names is that resource alone: other methods are 405
    /// with its methods, never a `{parameter}` route that happens to match the same text
    /// (`POST /api/applications/bulk-stage` is not `GET /api/applications/{id}`).
    public func match(method: String, path: Substring) -> Match {
        if let candidates = staticRoutes[Router.normalize(path)] {
            for index in candidates where routes[index].method == method || (method == "HEAD" && routes[index].method == "GET") {
                return .found(routes[index], parameters: [:])
            }
            var allow: [String] = []
            for index in candidates where !allow.contains(routes[index].method) { allow.append(routes[index].method) }
            if allow.contains("GET") && !allow.contains("HEAD") { allow.append("HEAD") }
            return .methodNotAllowed(allow: allow)
        }
        let parts = Router.split(path)
        var allow: [String] = []
        var pathExists = false
        for route in routes {
            guard let parameters = Router.bind(route.segments, to: parts) else { continue }
            pathExists = true
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                return .found(route, parameters: parameters)
            }
            if !allow.contains(route.method) { allow.append(route.method) }
        }
        guard pathExists else { return .notFound }
        if allow.contains("GET") && !allow.contains("HEAD") { allow.append("HEAD") }
        return .methodNotAllowed(allow: allow)
    }

    /// The body limit of the route `method` and `path` name, when it declares one: the
    /// server asks as soon as a request's head is complete, before reading its body.
    public func bodyLimit(method: String, path: Substring) -> Int? {
        if case .found(let route, _) = match(method: method, path: path) { return route.maxBody }
        return nil
    }

    /// The largest body any route takes (the server's body budget must hold one).
    public var largestBodyLimit: Int? { routes.compactMap(\.maxBody).max() }

    /// `/a/b` and `/a/b/` → `["a", "b"]`; `/` → `[]`. Inner empty segments stay (and match nothing).
    private static func split(_ path: Substring) -> [Substring] {
        var path = path
        if path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        return Array(path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().filter { path != "/" || !$0.isEmpty })
    }

    private static func bind(_ segments: [Segment], to parts: [Substring]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard part == text else { return nil }
            case .parameter(let name):
                guard !part.isEmpty, let value = PercentEncoding.decode(part) else { return nil }
                parameters[name] = value
            }
        }
        return parameters
    }
}
