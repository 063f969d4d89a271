import ATSSupport
/// An error that is its own HTTP response: an RFC 9457 problem+json document.
/// Handlers throw these (or a domain error the application maps to one in one place).
public struct HTTPError: Error, Sendable {
    public var status: Int
    public var detail: String
    public var title: String
    public var headers: HTTPHeaders
    /// Extra members of the problem document, each an already-encoded JSON value.
    public var extensions: [(name: String, json: String)]

    public init(_ status: Int, _ detail: String, title: String? = nil, headers: HTTPHeaders = HTTPHeaders(), extensions: [(name: String, json: String)] = []) {
        self.status = status
        self.detail = detail
        self.title = title ?? HTTPStatus.reason(status)
        self.headers = headers
        self.extensions = extensions
    }

    public var response: HTTPResponse {
        var json = "{\"type\":\"about:blank\",\"title\":"
        json += JSON.quote(title)
        json += ",\"status\":\(status),\"detail\":"
        json += JSON.quote(detail)
        for ext in extensions {
            json += ","
            json += JSON.quote(ext.name)
            json += ":"
            json += ext.json
        }
        json += "}"
        var headers = headers
        headers.set("Content-Type", "application/problem+json")
        return HTTPResponse(status: status, headers: headers, body: Array(json.utf8))
    }
}
