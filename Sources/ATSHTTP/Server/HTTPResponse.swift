/// A response as a handler builds it. The server adds `Date`, `Server`, `X-Request-ID`,
/// `Content-Length` and `Connection`, and drops the body of a HEAD response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Extra fields for this request's access-log line (e.g. the tenant), never sent.
    public var logFields: [(String, String)]

    public init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], logFields: [(String, String)] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.logFields = logFields
    }

    /// A JSON response from already-encoded bytes.
    public static func json(_ status: Int = 200, _ body: [UInt8], headers: HTTPHeaders? = nil) -> HTTPResponse {
        guard var headers else {
            return HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: body)
        }
        headers.set("Content-Type", "application/json")
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    public static func text(_ status: Int = 200, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", contentType)
        return HTTPResponse(status: status, headers: headers, body: Array(text.utf8))
    }
}
