import ATSDomain
import ATSSupport
import ATSHTTP

/// The OpenAPI 3.1 description of API.md, built from one table of operations. A test
/// checks that this table and the router list the same routes.
public enum OpenAPIDocument {
    struct Operation {
        let method: String
        let path: String
        let summary: String
        let tag: String
        var secured = false
        var tenant = true
        var pathParameters: [String] = []
        var query: [(name: String, schema: JSONValue, description: String)] = []
        var body: String? = nil
        var formLogin = false
        var paginated = false
        var ifMatch = false
        var success: (code: Int, description: String, schema: JSONValue?)
        var errors: [Int]
    }

    static func ref(_ name: String) -> JSONValue { .object([("$ref", .string("#/components/schemas/\(name)"))]) }
    static func arrayOf(_ name: String) -> JSONValue { .object([("type", .string("array")), ("items", ref(name))]) }
    static let string: JSONValue = .object([("type", .string("string"))])
    static func enumeration(_ values: [String]) -> JSONValue { .object([("type", .string("string")), ("enum", .array(values.map(JSONValue.string)))]) }

    static let operations: [Operation] = [
        Operation(method: "GET", path: "/healthz", summary: "Liveness: always ok, touches nothing", tag: "operations", tenant: false,
                  success: (200, "Alive", .object([("type", .string("object"))])), errors: []),
        Operation(method: "GET", path: "/readyz", summary: "Readiness: the database answers (503 if not); with REDIS_URL also reports Redis (down: 200, status degraded)", tag: "operations", tenant: false,
                  success: (200, "Ready", .object([("type", .string("object"))])), errors: [503]),
        Operation(method: "GET", path: "/metrics", summary: "Prometheus metrics", tag: "operations", tenant: false,
                  success: (200, "Prometheus text exposition", nil), errors: []),
        Operation(method: "GET", path: "/openapi.json", summary: "This document", tag: "operations", tenant: false,
                  success: (200, "OpenAPI 3.1", .object([("type", .string("object"))])), errors: []),
        Operation(method: "GET", path: "/docs", summary: "Swagger UI", tag: "operations", tenant: false,
                  success: (200, "HTML", nil), errors: []),

        Operation(method: "POST", path: "/api/auth/signup", summary: "Sign up (candidates; other roles need an admin's token)", tag: "auth",
                  body: "SignupRequest", success: (201, "The new user", ref("User")), errors: [400, 401, 403, 409, 415, 422, 429]),
        Operation(method: "POST", path: "/api/auth/login", summary: "Log in with JSON or the OAuth2 password form", tag: "auth",
                  body: "LoginRequest", formLogin: true, success: (200, "An access token", ref("Token")), errors: [400, 401, 415, 422, 429]),
        Operation(method: "GET", path: "/api/auth/me", summary: "The signed-in user", tag: "auth", secured: true,
                  success: (200, "The user", ref("User")), errors: [401]),

        Operation(method: "GET", path: "/api/users", summary: "List users (admin)", tag: "users", secured: true,
                  query: [("role", enumeration(Role.allCases.map(\.rawValue)), "Only this role"), ("q", string, "Substring of email or name")],
                  paginated: true, success: (200, "Users, by id", arrayOf("User")), errors: [400, 401, 403, 422]),
        Operation(method: "POST", path: "/api/users", summary: "Create a user (admin)", tag: "users", secured: true,
                  body: "CreateUserRequest", success: (201, "The new user", ref("User")), errors: [400, 401, 403, 409, 415, 422]),
        Operation(method: "GET", path: "/api/users/{user_id}", summary: "A user (admin)", tag: "users", secured: true, pathParameters: ["user_id"],
                  success: (200, "The user", ref("User")), errors: [401, 403, 404]),
        Operation(method: "PATCH", path: "/api/users/{user_id}", summary: "Change role, activation or name (admin)", tag: "users", secured: true,
                  pathParameters: ["user_id"], body: "UpdateUserRequest", success: (200, "The user", ref("User")), errors: [400, 401, 403, 404, 409, 415, 422]),

        Operation(method: "GET", path: "/api/jobs/", summary: "List jobs, newest first (open only unless staff)", tag: "jobs",
                  query: [("status", enumeration(JobStatus.allCases.map(\.rawValue)), "Staff only: this status"),
                          ("q", string, "Case-insensitive substring of title, company, location, description"),
                          ("company", string, "Exact company, ignoring case"), ("location", string, "Exact location, ignoring case")],
                  paginated: true, success: (200, "Jobs", arrayOf("Job")), errors: [400, 401, 422]),
        Operation(method: "POST", path: "/api/jobs/", summary: "Create a job (recruiter, admin)", tag: "jobs", secured: true,
                  body: "CreateJobRequest", success: (201, "The job (Location header)", ref("Job")), errors: [400, 401, 403, 415, 422]),
        Operation(method: "GET", path: "/api/jobs/{job_id}", summary: "A job (drafts only for staff)", tag: "jobs", pathParameters: ["job_id"],
                  success: (200, "The job", ref("Job")), errors: [401, 404]),
        Operation(method: "PATCH", path: "/api/jobs/{job_id}", summary: "Update a job (admin or its creator)", tag: "jobs", secured: true,
                  pathParameters: ["job_id"], body: "UpdateJobRequest", success: (200, "The job", ref("Job")), errors: [400, 401, 403, 404, 415, 422]),
        Operation(method: "DELETE", path: "/api/jobs/{job_id}", summary: "Delete a job without applications (admin or its creator)", tag: "jobs",
                  secured: true, pathParameters: ["job_id"], success: (204, "Deleted", nil), errors: [401, 403, 404, 409]),
        Operation(method: "POST", path: "/api/jobs/{job_id}/apply", summary: "Apply to an open job (candidate)", tag: "applications", secured: true,
                  pathParameters: ["job_id"], body: "ApplyRequest", success: (201, "The application, stage applied", ref("Application")),
                  errors: [400, 401, 403, 404, 409, 415, 422]),
        Operation(method: "GET", path: "/api/jobs/{job_id}/applications", summary: "A job's applications (staff)", tag: "applications", secured: true,
                  pathParameters: ["job_id"], query: [("stage", enumeration(Stage.allCases.map(\.rawValue)), "Only this stage")], paginated: true,
                  success: (200, "Applications, newest first", arrayOf("Application")), errors: [400, 401, 403, 404, 422]),

        Operation(method: "GET", path: "/api/applications", summary: "Applications: your own (candidates) or the tenant's (staff)", tag: "applications",
                  secured: true, query: [("job_id", .object([("type", .string("integer"))]), "Only this job"),
                                         ("stage", enumeration(Stage.allCases.map(\.rawValue)), "Only this stage")],
                  paginated: true, success: (200, "Applications, newest first", arrayOf("Application")), errors: [400, 401, 422]),
        Operation(method: "GET", path: "/api/applications/{application_id}", summary: "An application (staff, or its candidate) with its ETag",
                  tag: "applications", secured: true, pathParameters: ["application_id"], success: (200, "The application", ref("Application")),
                  errors: [401, 404]),
        Operation(method: "PATCH", path: "/api/applications/{application_id}/stage", summary: "Move to the next stage or rejected (staff)",
                  tag: "applications", secured: true, pathParameters: ["application_id"], body: "StageChangeRequest", ifMatch: true,
                  success: (200, "The application (new ETag)", ref("Application")), errors: [400, 401, 403, 404, 409, 412, 415, 422]),
        Operation(method: "GET", path: "/api/applications/{application_id}/events", summary: "An application's history, oldest first",
                  tag: "applications", secured: true, pathParameters: ["application_id"], success: (200, "Events", arrayOf("ApplicationEvent")),
                  errors: [401, 404]),
        Operation(method: "GET", path: "/api/notifications", summary: "Queued notifications (admin)", tag: "notifications", secured: true,
                  query: [("status", enumeration(OutboxStatus.allCases.map(\.rawValue)), "Only this status")], paginated: true,
                  success: (200, "Notifications, newest first", arrayOf("Notification")), errors: [400, 401, 403, 422]),
    ]

    /// The document as JSON text (built once).
    public static let json: String = document().text

    static func document() -> JSONValue {
        var paths: [(key: String, value: JSONValue)] = []
        for path in orderedPaths() {
            let ops = operations.filter { $0.path == path }
            paths.append((path, .object(ops.map { ($0.method.lowercased(), operation($0)) })))
        }
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", .object([("title", .string("ATS API")), ("version", .string(ATSVersion.string)),
                              ("description", .string("Multi-tenant applicant tracking system. The tenant comes from X-Tenant, else the Host under ATS_BASE_DOMAIN, else the default tenant. Errors are RFC 9457 problem+json."))])),
            ("paths", .object(paths)),
            ("components", components()),
        ])
    }

    private static func orderedPaths() -> [String] {
        var seen: [String] = []
        for op in operations where !seen.contains(op.path) { seen.append(op.path) }
        return seen
    }

    private static func operation(_ op: Operation) -> JSONValue {
        var parameters: [JSONValue] = op.pathParameters.map {
            .object([("name", .string($0)), ("in", .string("path")), ("required", .bool(true)),
                     ("schema", .object([("type", .string("integer")), ("format", .string("int64")), ("minimum", .int(1))]))])
        }
        if op.tenant {
            parameters.append(.object([("name", .string("X-Tenant")), ("in", .string("header")), ("required", .bool(false)),
                                       ("description", .string("Tenant slug (default: the Host's subdomain, else the default tenant)")),
                                       ("schema", .object([("type", .string("string")), ("pattern", .string("^[a-z0-9][a-z0-9-]{1,62}$"))]))]))
        }
        for q in op.query {
            parameters.append(.object([("name", .string(q.name)), ("in", .string("query")), ("required", .bool(false)),
                                       ("description", .string(q.description)), ("schema", q.schema)]))
        }
        if op.paginated {
            parameters.append(.object([("name", .string("limit")), ("in", .string("query")), ("required", .bool(false)),
                                       ("schema", .object([("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(100)), ("default", .int(20))]))]))
            parameters.append(.object([("name", .string("offset")), ("in", .string("query")), ("required", .bool(false)),
                                       ("schema", .object([("type", .string("integer")), ("minimum", .int(0)), ("default", .int(0))]))]))
        }
        if op.ifMatch {
            parameters.append(.object([("name", .string("If-Match")), ("in", .string("header")), ("required", .bool(false)),
                                       ("description", .string("The ETag you read; 412 if the application changed since")), ("schema", string)]))
        }
        var fields: [(key: String, value: JSONValue)] = [
            ("summary", .string(op.summary)), ("operationId", .string(operationID(op))), ("tags", .array([.string(op.tag)])),
        ]
        if !parameters.isEmpty { fields.append(("parameters", .array(parameters))) }
        if op.secured { fields.append(("security", .array([.object([("OAuth2Password", .array([]))]), .object([("BearerAuth", .array([]))])]))) }
        if let body = op.body {
            var content: [(key: String, value: JSONValue)] = [("application/json", .object([("schema", ref(body))]))]
            if op.formLogin { content.append(("application/x-www-form-urlencoded", .object([("schema", ref("LoginForm"))]))) }
            fields.append(("requestBody", .object([("required", .bool(true)), ("content", .object(content))])))
        }
        var responses: [(key: String, value: JSONValue)] = []
        var success: [(key: String, value: JSONValue)] = [("description", .string(op.success.description))]
        if op.paginated {
            success.append(("headers", .object([
                ("X-Total-Count", .object([("description", .string("Rows matching the filters")), ("schema", .object([("type", .string("integer"))]))])),
                ("Link", .object([("description", .string("RFC 8288 next/prev links")), ("schema", string)])),
            ])))
        }
        if let schema = op.success.schema { success.append(("content", .object([("application/json", .object([("schema", schema)]))]))) }
        responses.append((String(op.success.code), .object(success)))
        for code in op.errors {
            responses.append((String(code), .object([("description", .string(HTTPStatus.reason(code))),
                                                     ("content", .object([("application/problem+json", .object([("schema", ref("Problem"))]))]))])))
        }
        fields.append(("responses", .object(responses)))
        return .object(fields)
    }

    private static func operationID(_ op: Operation) -> String {
        var id = op.method.lowercased()
        for scalar in op.path.unicodeScalars {
            switch scalar {
            case "/", ".", "{": if !id.hasSuffix("_") { id += "_" }
            case "}": break
            default: id.unicodeScalars.append(scalar)
            }
        }
        return id.hasSuffix("_") ? String(id.dropLast()) : id
    }

    private static func object(_ properties: [(String, JSONValue)], required: [String], additional: Bool = false) -> JSONValue {
        .object([("type", .string("object")), ("properties", .object(properties.map { (key: $0.0, value: $0.1) })),
                 ("required", .array(required.map(JSONValue.string))), ("additionalProperties", .bool(additional))])
    }

    private static func text(_ min: Int, _ max: Int, nullable: Bool = false) -> JSONValue {
        .object([("type", nullable ? .array([.string("string"), .string("null")]) : .string("string")), ("minLength", .int(Int64(min))), ("maxLength", .int(Int64(max)))])
    }

    private static let id: JSONValue = .object([("type", .string("integer")), ("format", .string("int64"))])
    private static let time: JSONValue = .object([("type", .string("string")), ("format", .string("date-time"))])
    private static let nullableText: JSONValue = .object([("type", .array([.string("string"), .string("null")]))])
    private static let nullableTime: JSONValue = .object([("type", .array([.string("string"), .string("null")])), ("format", .string("date-time"))])

    private static func components() -> JSONValue {
        let roles = enumeration(Role.allCases.map(\.rawValue))
        let stages = enumeration(Stage.allCases.map(\.rawValue))
        let schemas: [(key: String, value: JSONValue)] = [
            ("User", object([("id", id), ("email", string), ("full_name", nullableText), ("role", roles), ("is_active", .object([("type", .string("boolean"))])),
                             ("created_at", time)], required: ["id", "email", "full_name", "role", "is_active", "created_at"])),
            ("Job", object([("id", id), ("title", string), ("company", string), ("description", nullableText), ("location", nullableText),
                            ("status", enumeration(JobStatus.allCases.map(\.rawValue))), ("created_by", id), ("created_at", time), ("updated_at", time)],
                           required: ["id", "title", "company", "description", "location", "status", "created_by", "created_at", "updated_at"])),
            ("Application", object([("id", id), ("job_id", id), ("candidate_id", id), ("stage", stages), ("cover_letter", nullableText),
                                    ("resume_url", nullableText), ("created_at", time), ("updated_at", time)],
                                   required: ["id", "job_id", "candidate_id", "stage", "cover_letter", "resume_url", "created_at", "updated_at"])),
            ("ApplicationEvent", object([("id", id), ("from_stage", .object([("type", .array([.string("string"), .string("null")]))])), ("to_stage", stages),
                                         ("actor_id", .object([("type", .array([.string("integer"), .string("null")]))])), ("note", nullableText), ("created_at", time)],
                                        required: ["id", "from_stage", "to_stage", "actor_id", "note", "created_at"])),
            ("Notification", object([("id", id), ("kind", string), ("recipient", string), ("status", enumeration(OutboxStatus.allCases.map(\.rawValue))),
                                     ("attempts", .object([("type", .string("integer"))])), ("last_error", nullableText), ("created_at", time), ("sent_at", nullableTime)],
                                    required: ["id", "kind", "recipient", "status", "attempts", "last_error", "created_at", "sent_at"])),
            ("Token", object([("access_token", string), ("token_type", enumeration(["bearer"])), ("expires_in", .object([("type", .string("integer"))]))],
                             required: ["access_token", "token_type", "expires_in"])),
            ("Problem", object([("type", string), ("title", string), ("status", .object([("type", .string("integer"))])), ("detail", string),
                                ("errors", .object([("type", .string("array")), ("items", object([("field", string), ("message", string)], required: ["field", "message"]))])),
                                ("allowed", .object([("type", .string("array")), ("items", stages)]))],
                               required: ["type", "title", "status", "detail"], additional: true)),
            ("SignupRequest", object([("email", text(3, 254)), ("password", text(8, 1024)), ("full_name", text(0, 200, nullable: true)), ("role", roles)],
                                     required: ["email", "password"])),
            ("CreateUserRequest", object([("email", text(3, 254)), ("password", text(8, 1024)), ("full_name", text(0, 200, nullable: true)), ("role", roles)],
                                         required: ["email", "password", "role"])),
            ("UpdateUserRequest", object([("role", roles), ("is_active", .object([("type", .string("boolean"))])), ("full_name", text(0, 200, nullable: true))],
                                         required: [])),
            ("LoginRequest", object([("email", string), ("password", string)], required: ["email", "password"])),
            ("LoginForm", object([("username", string), ("password", string)], required: ["username", "password"], additional: true)),
            ("CreateJobRequest", object([("title", text(1, 200)), ("company", text(1, 200)), ("description", text(0, 20_000, nullable: true)),
                                         ("location", text(0, 200, nullable: true)), ("status", enumeration(JobStatus.allCases.map(\.rawValue)))],
                                        required: ["title", "company"])),
            ("UpdateJobRequest", object([("title", text(1, 200)), ("company", text(1, 200)), ("description", text(0, 20_000, nullable: true)),
                                         ("location", text(0, 200, nullable: true)), ("status", enumeration(JobStatus.allCases.map(\.rawValue)))],
                                        required: [])),
            ("ApplyRequest", object([("cover_letter", text(0, 10_000, nullable: true)),
                                     ("resume_url", .object([("type", .array([.string("string"), .string("null")])), ("format", .string("uri")), ("maxLength", .int(2000))]))],
                                    required: [])),
            ("StageChangeRequest", object([("stage", stages), ("note", text(0, 2000, nullable: true))], required: ["stage"])),
        ]
        return .object([
            ("schemas", .object(schemas)),
            ("securitySchemes", .object([
                ("OAuth2Password", .object([("type", .string("oauth2")), ("flows", .object([("password", .object([
                    ("tokenUrl", .string("/api/auth/login")), ("scopes", .object([])),
                ]))]))])),
                ("BearerAuth", .object([("type", .string("http")), ("scheme", .string("bearer")), ("bearerFormat", .string("JWT"))])),
            ])),
        ])
    }
}

/// `/openapi.json` and `/docs` (Swagger UI from a CDN, as FastAPI serves it).
enum OpenAPIRoutes {
    static let docsPage = """
    <!doctype html>
    <html lang="en">
    <head>
      <meta charset="utf-8">
      <title>ATS API</title>
      <link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
    </head>
    <body>
      <div id="swagger-ui"></div>
      <script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
      <script>
        window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", persistAuthorization: true });
      </script>
    </body>
    </html>
    """

    static func register(on router: inout Router) {
        let document = Array(OpenAPIDocument.json.utf8)
        router.get("/openapi.json", mode: .inline) { _, _ in .json(200, document) }
        router.get("/docs", mode: .inline) { _, _ in .text(200, docsPage, contentType: "text/html; charset=utf-8") }
    }
}
