import ATSDomain
import ATSSupport

/// A Postman Collection v2.1 of the API (`ats openapi --format postman`), built from the
/// same operation table as the OpenAPI document: one request per operation, in folders
/// by tag. The bearer token is the collection variable `token`, sent by collection-level
/// auth (operations that take no token opt out); the login request's test script stores
/// the `access_token` of its response there. `baseUrl` and `tenant` are variables too.
public enum PostmanCollection {
    public static let schemaURL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

    /// The collection as JSON text (built once).
    public static let json: String = collection().text

    static func collection() -> JSONValue {
        let folders: [JSONValue] = OpenAPIDocument.tags.compactMap { tag in
            let requests = OpenAPIDocument.operations.filter { $0.tag == tag.name }.map(item)
            guard !requests.isEmpty else { return nil }
            return .object([("name", .string(tag.name)), ("description", .string(tag.description)), ("item", .array(requests))])
        }
        return .object([
            ("info", .object([
                ("name", .string("ATS API")),
                ("description", .string(OpenAPIDocument.description + " Log in first: the login request stores the token in the collection variable token.")),
                ("version", .string(ATSVersion.string)),
                ("schema", .string(schemaURL)),
            ])),
            ("item", .array(folders)),
            ("auth", bearer),
            ("variable", .array([
                variable("baseUrl", "http://localhost:8000", "The server, without a trailing slash"),
                variable("token", "", "The access token; set by the login request's test script"),
                variable("tenant", "default", "The tenant slug sent as X-Tenant"),
                variable("operatorToken", "", "ATS_OPERATOR_TOKEN, for the operator folder only"),
            ])),
        ])
    }

    private static let bearer = bearer("{{token}}")
    /// The operator routes send the operator token instead of the user's.
    private static let operatorBearer = bearer("{{operatorToken}}")

    private static func bearer(_ value: String) -> JSONValue {
        .object([
            ("type", .string("bearer")),
            ("bearer", .array([.object([("key", .string("token")), ("value", .string(value)), ("type", .string("string"))])])),
        ])
    }

    private static func variable(_ key: String, _ value: String, _ description: String) -> JSONValue {
        .object([("key", .string(key)), ("value", .string(value)), ("type", .string("string")), ("description", .string(description))])
    }

    /// Sets the `token` collection variable from a successful login.
    static let loginScript = [
        "pm.test(\"logged in\", function () { pm.response.to.have.status(200); });",
        "const body = pm.response.json();",
        "if (body.access_token) { pm.collectionVariables.set(\"token\", body.access_token); }",
    ]

    private static func item(_ op: OpenAPIDocument.Operation) -> JSONValue {
        let parameters = op.parameters
        var headers: [JSONValue] = []
        for header in parameters where header.location == .header {
            let value = header.name == "X-Tenant" ? "{{tenant}}" : "\"1\""
            headers.append(.object([("key", .string(header.name)), ("value", .string(value)), ("description", .string(header.description)),
                                    ("disabled", .bool(header.name != "X-Tenant"))]))
        }
        var request: [(key: String, value: JSONValue)] = [("method", .string(op.method))]
        if let schema = op.body {
            headers.append(.object([("key", .string("Content-Type")), ("value", .string("application/json"))]))
            let example = OpenAPIDocument.schema(schema)?["example"] ?? .object([])
            request.append(("body", .object([("mode", .string("raw")), ("raw", .string(example.text)),
                                             ("options", .object([("raw", .object([("language", .string("json"))]))]))])))
        }
        request.append(("header", .array(headers)))
        request.append(("url", url(op, parameters)))
        if op.access == .anonymous { request.append(("auth", .object([("type", .string("noauth"))]))) }
        if op.access == .operatorToken { request.append(("auth", operatorBearer)) }
        request.append(("description", .string(description(op))))
        var fields: [(key: String, value: JSONValue)] = [("name", .string(op.summary)), ("request", .object(request))]
        if op.success.schema == OpenAPIDocument.ref("Token") {  // login: keep the token it issues
            fields.append(("event", .array([.object([
                ("listen", .string("test")),
                ("script", .object([("type", .string("text/javascript")), ("exec", .array(loginScript.map(JSONValue.string)))])),
            ])])))
        }
        return .object(fields)
    }

    /// `{{baseUrl}}/api/jobs/:job_id?…`: path parameters as Postman variables, query
    /// parameters listed but disabled (defaults filled in).
    private static func url(_ op: OpenAPIDocument.Operation, _ parameters: [OpenAPIDocument.Parameter]) -> JSONValue {
        var segments: [String] = []
        for segment in op.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            segments.append(segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : String(segment))
        }
        var fields: [(key: String, value: JSONValue)] = [
            ("raw", .string("{{baseUrl}}/" + segments.joined(separator: "/"))),
            ("host", .array([.string("{{baseUrl}}")])),
            ("path", .array(segments.map(JSONValue.string))),
        ]
        let query: [JSONValue] = parameters.filter { $0.location == .query }.map { parameter in
            let value: String
            switch parameter.schema["default"] {
            case .int(let n)?: value = String(n)
            default: value = ""
            }
            return .object([("key", .string(parameter.name)), ("value", .string(value)), ("description", .string(parameter.description)), ("disabled", .bool(true))])
        }
        if !query.isEmpty { fields.append(("query", .array(query))) }
        let variables: [JSONValue] = parameters.filter { $0.location == .path }.map {
            .object([("key", .string($0.name)), ("value", .string("1")), ("description", .string($0.description))])
        }
        if !variables.isEmpty { fields.append(("variable", .array(variables))) }
        return .object(fields)
    }

    private static func description(_ op: OpenAPIDocument.Operation) -> String {
        let access: String
        switch op.access {
        case .anonymous: access = "No token."
        case .optional: access = "Token optional."
        case .required: access = "Token required."
        case .operatorToken: access = "The operator token (ATS_OPERATOR_TOKEN) required."
        }
        let statuses = ([op.success.code] + op.errorStatuses).map(String.init).joined(separator: ", ")
        return "\(op.method) \(op.path). \(access) Answers \(statuses)."
    }
}
