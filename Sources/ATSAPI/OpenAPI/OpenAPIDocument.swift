import ATSDomain
import ATSSupport
import ATSFeatures
import ATSHTTP

/// The OpenAPI 3.1 description of API.md, built from one table of operations. A test
/// checks that this table and the router list the same routes; the Postman collection
/// (`PostmanCollection`) is built from the same table.
public enum OpenAPIDocument {
    /// Who may call an operation: nobody needs a token, a token is optional (it changes
    /// what the caller sees or may do), or one is required.
    enum Access {
        case anonymous, optional, required
        /// The operator API: `ATS_OPERATOR_TOKEN` as a bearer token (its own scheme).
        case operatorToken
    }

    struct Parameter {
        enum Location: String {
            case path, query, header
        }

        let name: String
        let location: Location
        let schema: JSONValue
        let description: String
    }

    struct Operation {
        let method: String
        let path: String
        let summary: String
        let tag: String
        var access = Access.optional
        var tenant = true
        var pathParameters: [String] = []
        var query: [(name: String, schema: JSONValue, description: String)] = []
        var body: String? = nil
        var formLogin = false
        var paginated = false
        /// Also takes the keyset `cursor` (docs/api-reference.md, Pagination).
        var keyset = false
        var ifMatch = false
        /// A POST that takes `Idempotency-Key`; false where the answer holds a token or a
        /// secret (`IdempotencyPolicy.ignored`).
        var idempotent = true
        /// A file upload: `multipart/form-data` with a binary `file` part, or the raw file.
        var upload = false
        /// The success response is the file's bytes (a download), with an ETag.
        var download = false
        var success: (code: Int, description: String, schema: JSONValue?)
        var errors: [Int]

        /// Every parameter, in the document's order: path, tenant header, query, paging, If-Match.
        var parameters: [Parameter] {
            var list = pathParameters.map { name in
                name == "slug" ? Parameter(name: name, location: .path, schema: OpenAPIDocument.operatorSlug, description: "A tenant's slug")
                    : name.hasSuffix("_id") ? Parameter(name: name, location: .path, schema: OpenAPIDocument.id(minimum: 1), description: "A positive 64-bit id")
                    : Parameter(name: name, location: .path, schema: OpenAPIDocument.string, description: "A file name")
            }
            if tenant {
                list.append(Parameter(name: "X-Tenant", location: .header, schema: OpenAPIDocument.tenantSlug,
                                      description: "Tenant slug, case-insensitive (default: the Host's subdomain under ATS_BASE_DOMAIN, else the default tenant); an unknown or empty one is 404"))
            }
            list += query.map { Parameter(name: $0.name, location: .query, schema: $0.schema, description: $0.description) }
            if paginated {
                list.append(Parameter(name: "limit", location: .query, schema: .object([("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(100)), ("default", .int(20))]),
                                      description: "Page size, 1-100"))
                list.append(Parameter(name: "offset", location: .query, schema: .object([("type", .string("integer")), ("minimum", .int(0)), ("maximum", .int(Int64(Pagination.maxOffset))), ("default", .int(0))]),
                                      description: "Rows to skip"))
            }
            if keyset {
                list.append(Parameter(name: "cursor", location: .query, schema: OpenAPIDocument.cursor,
                                      description: "Keyset paging: empty for the first page, then the value in Link rel=next (opaque); not with a non-zero offset"))
            }
            if ifMatch {
                list.append(Parameter(name: "If-Match", location: .header, schema: OpenAPIDocument.string, description: "The ETag you read; 412 if the application changed since"))
            }
            if method == "POST" && tenant && idempotent {
                list.append(Parameter(name: "Idempotency-Key", location: .header, schema: OpenAPIDocument.idempotencyKey,
                                      description: "Makes a retry safe: the first response is kept 24 h per tenant, caller and key and replayed (Idempotent-Replayed: true); the same key with another method, path or body is 422, while the first still runs 409"))
            }
            return list
        }

        /// The documented error statuses: the operation's own, plus what every tenant route
        /// can answer (a malformed request, an unknown tenant, the database down).
        var errorStatuses: [Int] {
            // A POST that takes Idempotency-Key may also answer 409 (the key's first request
            // still runs) and 422 (the key was used for another request).
            let idempotency = method == "POST" && tenant && idempotent ? [409, 422] : []
            return Set(errors + (tenant ? [400, 404, 503] : []) + idempotency).sorted()
        }

        /// API.md: where every field of a body is optional, an empty body is `{}` (the
        /// handlers read it with `BodyReader(request, emptyIsObject: true)`).
        var bodyIsOptional: Bool {
            guard let body else { return false }
            return OpenAPIDocument.schema(body)?["required"] == .array([])
        }

        var operationID: String {
            var id = method.lowercased()
            for scalar in path.unicodeScalars {
                switch scalar {
                case "/", ".", "{": if !id.hasSuffix("_") { id += "_" }
                case "}": break
                default: id.unicodeScalars.append(scalar)
                }
            }
            return id.hasSuffix("_") ? String(id.dropLast()) : id
        }
    }

    static func ref(_ name: String) -> JSONValue { .object([("$ref", .string("#/components/schemas/\(name)"))]) }
    static func arrayOf(_ name: String) -> JSONValue { .object([("type", .string("array")), ("items", ref(name))]) }
    static let string: JSONValue = .object([("type", .string("string"))])
    static func enumeration(_ values: [String]) -> JSONValue { .object([("type", .string("string")), ("enum", .array(values.map(JSONValue.string)))]) }
    /// Query text: anything but NUL (a NUL in the query string is 400).
    static let queryText: JSONValue = .object([("type", .string("string")), ("pattern", .string(noNUL))])
    static let tenantSlug: JSONValue = .object([("type", .string("string")), ("pattern", .string("^[A-Za-z0-9][A-Za-z0-9-]{1,62}$"))])
    static let operatorSlug: JSONValue = .object([("type", .string("string")), ("pattern", .string("^[a-z0-9][a-z0-9-]{1,62}$"))])
    /// What `Pagination.text` writes (a client passes it on as it came).
    static let cursor: JSONValue = .object([("type", .string("string")), ("pattern", .string("^(-?[0-9]{1,19}_[1-9][0-9]{0,18})?$"))])
    static let idempotencyKey: JSONValue = .object([("type", .string("string")), ("minLength", .int(1)), ("maxLength", .int(255)),
                                                    ("pattern", .string("^[\\x21-\\x7E]+$"))])

    /// The reports' window: RFC 3339 bounds on when the applications were created.
    static let reportWindow: [(name: String, schema: JSONValue, description: String)] = [
        ("from", .object([("type", .string("string")), ("format", .string("date-time"))]), "Applications created at or after (default: 90 days before `to`)"),
        ("to", .object([("type", .string("string")), ("format", .string("date-time"))]), "Applications created at or before (default: now)"),
    ]

    static let operations: [Operation] = [
        Operation(method: "GET", path: "/healthz", summary: "Liveness: always ok, touches nothing", tag: "operations", access: .anonymous, tenant: false,
                  success: (200, "Alive", .object([("type", .string("object"))])), errors: []),
        Operation(method: "GET", path: "/readyz", summary: "Readiness: the database answers (503 if not); with REDIS_URL also reports Redis (down: 200, status degraded)", tag: "operations",
                  access: .anonymous, tenant: false, success: (200, "Ready", .object([("type", .string("object"))])), errors: [503]),
        Operation(method: "GET", path: "/metrics", summary: "Prometheus metrics", tag: "operations", access: .anonymous, tenant: false,
                  success: (200, "Prometheus text exposition", nil), errors: []),
        Operation(method: "GET", path: "/openapi.json", summary: "This document", tag: "operations", access: .anonymous, tenant: false,
                  success: (200, "OpenAPI 3.1", .object([("type", .string("object"))])), errors: []),
        Operation(method: "GET", path: "/docs", summary: "Swagger UI", tag: "operations", access: .anonymous, tenant: false,
                  success: (200, "HTML", nil), errors: []),
        Operation(method: "GET", path: "/docs/assets/{file}", summary: "Swagger UI's files when ATS_DOCS_ASSETS is set (else 404: /docs uses a CDN)",
                  tag: "operations", access: .anonymous, tenant: false, pathParameters: ["file"], success: (200, "CSS, JavaScript or PNG", nil), errors: [404]),

        Operation(method: "POST", path: "/api/auth/signup", summary: "Sign up (candidates; other roles need an admin's token)", tag: "auth",
                  body: "SignupRequest", success: (201, "The new user", ref("User")), errors: [400, 401, 403, 409, 415, 422, 429]),
        Operation(method: "POST", path: "/api/auth/login", summary: "Log in with JSON or the OAuth2 password form", tag: "auth", access: .anonymous,
                  body: "LoginRequest", formLogin: true, idempotent: false, success: (200, "An access token", ref("Token")), errors: [400, 401, 415, 422, 429]),
        Operation(method: "GET", path: "/api/auth/me", summary: "The signed-in user", tag: "auth", access: .required,
                  success: (200, "The user", ref("User")), errors: [401]),
        Operation(method: "PATCH", path: "/api/auth/me", summary: "Edit your own profile (candidates: name, phone, location, links; staff: name only)",
                  tag: "auth", access: .required, body: "UpdateMeRequest",
                  success: (200, "You: a Candidate for candidates, a User for staff", .object([("oneOf", .array([ref("Candidate"), ref("User")]))])),
                  errors: [400, 401, 415, 422]),
        Operation(method: "POST", path: "/api/auth/password", summary: "Change your password; every other session ends", tag: "auth", access: .required,
                  body: "PasswordChangeRequest", idempotent: false, success: (200, "A token of the new session", ref("Token")), errors: [400, 401, 415, 422, 429]),
        Operation(method: "POST", path: "/api/auth/password-reset", summary: "Mail a password reset token (202 for any email)", tag: "auth", access: .anonymous,
                  body: "PasswordResetRequest", success: (202, "Accepted (the same for known and unknown emails)", ref("Accepted")), errors: [400, 415, 422]),
        Operation(method: "POST", path: "/api/auth/password-reset/confirm", summary: "Set a password with a reset or invitation token", tag: "auth",
                  access: .anonymous, body: "PasswordResetConfirmRequest", idempotent: false, success: (200, "An access token", ref("Token")), errors: [400, 415, 422]),
        Operation(method: "POST", path: "/api/auth/logout", summary: "End every session of yours (all your tokens); the body may be left out", tag: "auth",
                  access: .required, body: "LogoutRequest", success: (204, "Signed out", nil), errors: [400, 401, 415, 422]),

        Operation(method: "GET", path: "/api/users", summary: "List users (admin)", tag: "users", access: .required,
                  query: [("role", enumeration(Role.allCases.map(\.rawValue)), "Only this role"), ("q", queryText, "Substring of email or name")],
                  paginated: true, success: (200, "Users, by id", arrayOf("User")), errors: [400, 401, 403, 422]),
        Operation(method: "POST", path: "/api/users", summary: "Create a user (admin)", tag: "users", access: .required,
                  body: "CreateUserRequest", success: (201, "The new user", ref("User")), errors: [400, 401, 403, 409, 415, 422]),
        Operation(method: "GET", path: "/api/users/{user_id}", summary: "A user (admin)", tag: "users", access: .required, pathParameters: ["user_id"],
                  success: (200, "The user", ref("User")), errors: [401, 403, 404]),
        Operation(method: "PATCH", path: "/api/users/{user_id}", summary: "Change role, activation or name (admin)", tag: "users", access: .required,
                  pathParameters: ["user_id"], body: "UpdateUserRequest", success: (200, "The user", ref("User")), errors: [400, 401, 403, 404, 409, 415, 422]),

        Operation(method: "GET", path: "/api/jobs/", summary: "List jobs, newest first (open only unless staff)", tag: "jobs",
                  query: [("status", enumeration(JobStatus.allCases.map(\.rawValue)), "Staff only: this status"),
                          ("q", queryText, "Case-insensitive substring of title, company, location, description"),
                          ("company", queryText, "Exact company, ignoring case"), ("location", queryText, "Exact location, ignoring case")],
                  paginated: true, keyset: true, success: (200, "Jobs", arrayOf("Job")), errors: [400, 401, 422]),
        Operation(method: "POST", path: "/api/jobs/", summary: "Create a job (recruiter, admin)", tag: "jobs", access: .required,
                  body: "CreateJobRequest", success: (201, "The job (Location header)", ref("Job")), errors: [400, 401, 403, 415, 422]),
        Operation(method: "GET", path: "/api/jobs/{job_id}", summary: "A job (drafts only for staff)", tag: "jobs", pathParameters: ["job_id"],
                  success: (200, "The job", ref("Job")), errors: [401, 404]),
        Operation(method: "PATCH", path: "/api/jobs/{job_id}", summary: "Update a job (admin or its creator)", tag: "jobs", access: .required,
                  pathParameters: ["job_id"], body: "UpdateJobRequest", success: (200, "The job", ref("Job")), errors: [400, 401, 403, 404, 415, 422]),
        Operation(method: "DELETE", path: "/api/jobs/{job_id}", summary: "Delete a job without applications (admin or its creator)", tag: "jobs",
                  access: .required, pathParameters: ["job_id"], success: (204, "Deleted", nil), errors: [401, 403, 404, 409]),
        Operation(method: "POST", path: "/api/jobs/{job_id}/apply", summary: "Apply to an open job (candidate); the body may be left out", tag: "applications",
                  access: .required, pathParameters: ["job_id"], body: "ApplyRequest", success: (201, "The application, stage applied", ref("Application")),
                  errors: [400, 401, 403, 404, 409, 415, 422]),
        Operation(method: "GET", path: "/api/jobs/{job_id}/applications", summary: "A job's applications (staff)", tag: "applications", access: .required,
                  pathParameters: ["job_id"], query: [("stage", .object([("type", .string("string")), ("pattern", .string("^[a-z0-9][a-z0-9_-]{0,39}$"))]), "Only this stage (a key)")], paginated: true,
                  keyset: true, success: (200, "Applications, newest first", arrayOf("Application")), errors: [400, 401, 403, 404, 422]),

        Operation(method: "GET", path: "/api/applications", summary: "Applications: your own (candidates) or the tenant's (staff)", tag: "applications",
                  access: .required, query: [("job_id", id(minimum: 1), "Only this job"), ("stage", .object([("type", .string("string")), ("pattern", .string("^[a-z0-9][a-z0-9_-]{0,39}$"))]), "Only this stage (a key)")],
                  paginated: true, keyset: true, success: (200, "Applications, newest first", arrayOf("Application")), errors: [400, 401, 422]),
        Operation(method: "GET", path: "/api/applications/{application_id}", summary: "An application (staff, or its candidate) with its ETag",
                  tag: "applications", access: .required, pathParameters: ["application_id"], success: (200, "The application", ref("Application")),
                  errors: [401, 404]),
        Operation(method: "PATCH", path: "/api/applications/{application_id}/stage", summary: "Move to the next stage or rejected (staff)",
                  tag: "applications", access: .required, pathParameters: ["application_id"], body: "StageChangeRequest", ifMatch: true,
                  success: (200, "The application (new ETag)", ref("Application")), errors: [400, 401, 403, 404, 409, 412, 415, 422]),
        Operation(method: "GET", path: "/api/applications/{application_id}/events", summary: "An application's history, oldest first",
                  tag: "applications", access: .required, pathParameters: ["application_id"], success: (200, "Events", arrayOf("ApplicationEvent")),
                  errors: [401, 404]),
        Operation(method: "POST", path: "/api/jobs/{job_id}/applications", summary: "Add a candidate to a job in its first stage (staff; drafts too, closed 409)",
                  tag: "applications", access: .required, pathParameters: ["job_id"], body: "AddApplicationRequest",
                  success: (201, "The application (Location, ETag)", ref("Application")), errors: [400, 401, 403, 404, 409, 415, 422]),

        Operation(method: "GET", path: "/api/candidates", summary: "The talent pool, newest first (staff)", tag: "candidates", access: .required,
                  query: [("q", queryText, "Case-insensitive substring of name, email, phone or a tag"),
                          ("tag", .object([("type", .string("array")), ("items", queryText)]), "Repeatable (tag=a&tag=b): the candidate has every one"),
                          ("source", queryText, "Exact source"), ("job_id", id(minimum: 1), "Applied to this job")],
                  paginated: true, keyset: true, success: (200, "Candidates", arrayOf("Candidate")), errors: [400, 401, 403, 422]),
        Operation(method: "POST", path: "/api/candidates", summary: "Add a candidate without a password (staff); 409 with existing_id for a candidate's email",
                  tag: "candidates", access: .required, body: "CreateCandidateRequest", success: (201, "The candidate (Location)", ref("Candidate")),
                  errors: [400, 401, 403, 409, 415, 422]),
        Operation(method: "GET", path: "/api/candidates/{candidate_id}", summary: "A candidate (staff)", tag: "candidates", access: .required,
                  pathParameters: ["candidate_id"], success: (200, "The candidate", ref("Candidate")), errors: [401, 403, 404]),
        Operation(method: "PATCH", path: "/api/candidates/{candidate_id}", summary: "Change a candidate's profile (staff)", tag: "candidates", access: .required,
                  pathParameters: ["candidate_id"], body: "UpdateCandidateRequest", success: (200, "The candidate", ref("Candidate")),
                  errors: [400, 401, 403, 404, 415, 422]),
        Operation(method: "POST", path: "/api/candidates/{candidate_id}/merge", summary: "Merge a duplicate into this candidate (staff); 409 with job_ids when both applied to a job",
                  tag: "candidates", access: .required, pathParameters: ["candidate_id"], body: "MergeCandidatesRequest",
                  success: (200, "The surviving candidate", ref("Candidate")), errors: [400, 401, 403, 404, 409, 415, 422]),
        Operation(method: "POST", path: "/api/applications/{application_id}/reopen", summary: "Return a rejected application to the stage it was rejected from (staff)",
                  tag: "applications", access: .required, pathParameters: ["application_id"], success: (200, "The application (new ETag)", ref("Application")),
                  errors: [401, 403, 404, 409]),
        Operation(method: "POST", path: "/api/applications/bulk-stage", summary: "Move up to 500 applications at once, all or nothing (staff)",
                  tag: "applications", access: .required, body: "BulkStageRequest",
                  success: (200, "The moved applications", object([("applications", arrayOf("Application"))], required: ["applications"])),
                  errors: [400, 401, 403, 404, 409, 415, 422]),
        Operation(method: "GET", path: "/api/pipeline", summary: "The tenant's pipeline template for new jobs (staff)", tag: "pipelines", access: .required,
                  success: (200, "The template", ref("Pipeline")), errors: [401, 403]),
        Operation(method: "PUT", path: "/api/pipeline", summary: "Replace the template for new jobs (admin); existing jobs keep theirs", tag: "pipelines",
                  access: .required, body: "PipelineRequest", success: (200, "The stored template", ref("Pipeline")), errors: [400, 401, 403, 415, 422]),
        Operation(method: "GET", path: "/api/jobs/{job_id}/pipeline", summary: "A job's pipeline (staff)", tag: "pipelines", access: .required,
                  pathParameters: ["job_id"], success: (200, "The pipeline", ref("Pipeline")), errors: [401, 403, 404]),
        Operation(method: "PUT", path: "/api/jobs/{job_id}/pipeline", summary: "Replace a job's pipeline (admin or its creator); `move` maps removed stages",
                  tag: "pipelines", access: .required, pathParameters: ["job_id"], body: "JobPipelineRequest",
                  success: (200, "The stored pipeline", ref("Pipeline")), errors: [400, 401, 403, 404, 409, 415, 422]),
        Operation(method: "GET", path: "/api/rejection-reasons", summary: "Rejection reasons, archived ones flagged (staff; one page)", tag: "rejection-reasons",
                  access: .required, success: (200, "Rejection reasons, oldest first", arrayOf("RejectionReason")), errors: [401, 403]),
        Operation(method: "POST", path: "/api/rejection-reasons", summary: "Add a rejection reason (admin)", tag: "rejection-reasons", access: .required,
                  body: "CreateRejectionReasonRequest", success: (201, "The reason (Location header)", ref("RejectionReason")), errors: [400, 401, 403, 415, 422]),
        Operation(method: "PATCH", path: "/api/rejection-reasons/{reason_id}", summary: "Rename or archive a rejection reason (admin)", tag: "rejection-reasons",
                  access: .required, pathParameters: ["reason_id"], body: "UpdateRejectionReasonRequest", success: (200, "The reason", ref("RejectionReason")),
                  errors: [400, 401, 403, 404, 415, 422]),
        Operation(method: "GET", path: "/api/reports/funnel", summary: "How many applications reached each stage and are in it now (staff)", tag: "reports",
                  access: .required, query: reportWindow + [("job_id", id(minimum: 1), "Only this job (its stages; else the template's)")],
                  success: (200, "The funnel", ref("FunnelReport")), errors: [400, 401, 403, 404, 422]),
        Operation(method: "GET", path: "/api/reports/time-in-stage", summary: "Median and p90 hours of completed stays in each stage (staff)", tag: "reports",
                  access: .required, query: reportWindow + [("job_id", id(minimum: 1), "Only this job (its stages; else the template's)")],
                  success: (200, "One row per stage, in pipeline order", arrayOf("StageDuration")), errors: [400, 401, 403, 404, 422]),
        Operation(method: "GET", path: "/api/reports/sources", summary: "Applications and hires per source (staff)", tag: "reports",
                  access: .required, query: reportWindow,
                  success: (200, "Sources, most applications first (`direct` when none was given)", arrayOf("SourceReport")), errors: [400, 401, 403, 422]),
        Operation(method: "GET", path: "/api/notifications", summary: "Queued notifications (admin)", tag: "notifications", access: .required,
                  query: [("status", enumeration(OutboxStatus.allCases.map(\.rawValue)), "Only this status")], paginated: true,
                  success: (200, "Notifications, newest first", arrayOf("Notification")), errors: [400, 401, 403, 422]),

        Operation(method: "GET", path: "/api/candidates/{candidate_id}/export", summary: "Everything held about a candidate, incl. staff notes and scorecards (admin)",
                  tag: "privacy", access: .required, pathParameters: ["candidate_id"], success: (200, "The export", ref("PersonalDataExport")), errors: [401, 403, 404]),
        Operation(method: "POST", path: "/api/candidates/{candidate_id}/anonymize", summary: "Anonymize a candidate (admin; idempotent; the body may be left out)",
                  tag: "privacy", access: .required, pathParameters: ["candidate_id"], success: (200, "The anonymized candidate", ref("Candidate")),
                  errors: [401, 403, 404, 422]),
        Operation(method: "GET", path: "/api/auth/me/export", summary: "Everything held about you (candidates)", tag: "privacy", access: .required,
                  success: (200, "The export", ref("PersonalDataExport")), errors: [401, 403]),
        Operation(method: "POST", path: "/api/auth/me/erase", summary: "Erase your account: anonymized, signed out, cannot log in (candidates)", tag: "privacy",
                  access: .required, body: "EraseRequest", success: (204, "Erased", nil), errors: [400, 401, 403, 415, 422, 429]),
        Operation(method: "GET", path: "/api/api-keys", summary: "List live API keys, newest first (admin; never the key itself)", tag: "api-keys",
                  access: .required, paginated: true, success: (200, "API keys", arrayOf("APIKey")), errors: [400, 401, 403, 422]),
        Operation(method: "POST", path: "/api/api-keys", summary: "Create an API key (admin); the key is in this response only", tag: "api-keys",
                  access: .required, body: "CreateAPIKeyRequest", idempotent: false, success: (201, "The key, with its secret text (Location header)", ref("CreatedAPIKey")),
                  errors: [400, 401, 403, 415, 422]),
        Operation(method: "GET", path: "/api/api-keys/{key_id}", summary: "A live API key (admin; never the key itself)", tag: "api-keys",
                  access: .required, pathParameters: ["key_id"], success: (200, "The API key", ref("APIKey")), errors: [401, 403, 404]),
        Operation(method: "DELETE", path: "/api/api-keys/{key_id}", summary: "Revoke an API key (admin); refused from the next request on", tag: "api-keys",
                  access: .required, pathParameters: ["key_id"], success: (204, "Revoked", nil), errors: [401, 403, 404]),

        Operation(method: "GET", path: "/api/operator/tenants", summary: "List every tenant (operator)", tag: "operator", access: .operatorToken, tenant: false,
                  paginated: true, success: (200, "Tenants, oldest first", arrayOf("OperatorTenant")), errors: [400, 401, 404, 422]),
        Operation(method: "POST", path: "/api/operator/tenants", summary: "Create a tenant; its admin is mailed an invitation (operator)", tag: "operator",
                  access: .operatorToken, tenant: false, body: "CreateOperatorTenantRequest",
                  success: (201, "The tenant (Location header)", ref("OperatorTenant")), errors: [400, 401, 404, 409, 415, 422]),
        Operation(method: "PATCH", path: "/api/operator/tenants/{slug}", summary: "Rename, suspend or reactivate a tenant (operator)", tag: "operator",
                  access: .operatorToken, tenant: false, pathParameters: ["slug"], body: "UpdateOperatorTenantRequest",
                  success: (200, "The tenant", ref("OperatorTenant")), errors: [400, 401, 404, 415, 422]),
        Operation(method: "DELETE", path: "/api/operator/tenants/{slug}", summary: "Delete a tenant and all its data; confirm repeats the slug (operator)",
                  tag: "operator", access: .operatorToken, tenant: false, pathParameters: ["slug"],
                  query: [("confirm", operatorSlug, "The tenant's slug again")], success: (204, "Deleted", nil), errors: [400, 401, 404, 409, 422]),
        Operation(method: "GET", path: "/api/operator/tenants/{slug}/usage", summary: "A tenant's usage (operator)", tag: "operator",
                  access: .operatorToken, tenant: false, pathParameters: ["slug"], success: (200, "Counts", ref("TenantUsage")), errors: [401, 404]),
        Operation(method: "GET", path: "/api/webhooks", summary: "List webhooks, oldest first (admin; never a secret)", tag: "webhooks",
                  access: .required, paginated: true, success: (200, "Webhooks", arrayOf("Webhook")), errors: [400, 401, 403, 422]),
        Operation(method: "POST", path: "/api/webhooks", summary: "Create a webhook (admin); its secret is in this response only; a ping is queued to it",
                  tag: "webhooks", access: .required, body: "CreateWebhookRequest", success: (201, "The webhook, with its secret (Location header)", ref("CreatedWebhook")),
                  errors: [400, 401, 403, 415, 422]),
        Operation(method: "GET", path: "/api/webhooks/{webhook_id}", summary: "A webhook (admin; never its secret)", tag: "webhooks",
                  access: .required, pathParameters: ["webhook_id"], success: (200, "The webhook", ref("Webhook")), errors: [401, 403, 404]),
        Operation(method: "PATCH", path: "/api/webhooks/{webhook_id}", summary: "Change a webhook's URL, events, description or active flag (admin)",
                  tag: "webhooks", access: .required, pathParameters: ["webhook_id"], body: "UpdateWebhookRequest", success: (200, "The webhook", ref("Webhook")),
                  errors: [400, 401, 403, 404, 415, 422]),
        Operation(method: "DELETE", path: "/api/webhooks/{webhook_id}", summary: "Delete a webhook (admin); deliveries not yet made are cancelled", tag: "webhooks",
                  access: .required, pathParameters: ["webhook_id"], success: (204, "Deleted", nil), errors: [401, 403, 404]),
        Operation(method: "POST", path: "/api/webhooks/{webhook_id}/rotate-secret", summary: "A new signing secret (admin); the old one keeps signing for 24 h",
                  tag: "webhooks", access: .required, pathParameters: ["webhook_id"], success: (200, "The webhook, with its new secret", ref("CreatedWebhook")),
                  errors: [401, 403, 404]),
        Operation(method: "GET", path: "/api/webhooks/{webhook_id}/deliveries", summary: "A webhook's deliveries of the last 30 days, newest first (admin)",
                  tag: "webhooks", access: .required, pathParameters: ["webhook_id"], paginated: true,
                  success: (200, "Deliveries", arrayOf("WebhookDelivery")), errors: [400, 401, 403, 404, 422]),
        Operation(method: "POST", path: "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", summary: "Queue a delivery's event again (admin)",
                  tag: "webhooks", access: .required, pathParameters: ["webhook_id", "delivery_id"], success: (202, "The new delivery", ref("WebhookDelivery")),
                  errors: [401, 403, 404]),

        Operation(method: "GET", path: "/api/tenant", summary: "The tenant's name and settings (staff)", tag: "tenant", access: .required,
                  success: (200, "The tenant", ref("Tenant")), errors: [401, 403]),
        Operation(method: "PATCH", path: "/api/tenant", summary: "Rename the tenant or change some of its settings (admin)", tag: "tenant",
                  access: .required, body: "UpdateTenantRequest", success: (200, "The tenant", ref("Tenant")), errors: [400, 401, 403, 415, 422]),

        Operation(method: "GET", path: "/api/applications/{application_id}/notes", summary: "An application's notes, oldest first (staff; candidates never)",
                  tag: "notes", access: .required, pathParameters: ["application_id"], paginated: true, success: (200, "Notes", arrayOf("Note")),
                  errors: [401, 403, 422]),
        Operation(method: "POST", path: "/api/applications/{application_id}/notes", summary: "Add a note (staff)", tag: "notes", access: .required,
                  pathParameters: ["application_id"], body: "CreateNoteRequest", success: (201, "The note (Location header)", ref("Note")),
                  errors: [401, 403, 415, 422]),
        Operation(method: "DELETE", path: "/api/notes/{note_id}", summary: "Delete a note (its author or an admin)", tag: "notes", access: .required,
                  pathParameters: ["note_id"], success: (204, "Deleted", nil), errors: [401, 403]),

        Operation(method: "POST", path: "/api/candidates/{candidate_id}/documents",
                  summary: "Upload a document (staff, or the candidate for themself): multipart/form-data (file, kind) or the raw file with ?filename=&kind=",
                  tag: "documents", access: .required, pathParameters: ["candidate_id"],
                  query: [("filename", queryText, "Raw upload only: the file's display name"),
                          ("kind", enumeration(DocumentKind.allCases.map(\.rawValue)), "Raw upload only: resume (default), cover_letter or other")],
                  upload: true, success: (201, "The document (Location header)", ref("Document")), errors: [401, 409, 413, 415, 422]),
        Operation(method: "GET", path: "/api/candidates/{candidate_id}/documents", summary: "A candidate's documents, newest first (staff, or the candidate)",
                  tag: "documents", access: .required, pathParameters: ["candidate_id"], paginated: true,
                  success: (200, "Documents", arrayOf("Document")), errors: [401, 422]),
        Operation(method: "GET", path: "/api/documents/{document_id}", summary: "A document's metadata (staff, or its candidate)", tag: "documents",
                  access: .required, pathParameters: ["document_id"], success: (200, "The document", ref("Document")), errors: [401]),
        Operation(method: "GET", path: "/api/documents/{document_id}/content",
                  summary: "Download a document (staff, or its candidate); If-None-Match with its ETag is 304", tag: "documents", access: .required,
                  pathParameters: ["document_id"], download: true, success: (200, "The file, as an attachment", nil), errors: [401]),
        Operation(method: "DELETE", path: "/api/documents/{document_id}", summary: "Delete a document (staff, or its candidate)", tag: "documents",
                  access: .required, pathParameters: ["document_id"], success: (204, "Deleted", nil), errors: [401]),

        Operation(method: "POST", path: "/api/applications/{application_id}/interviews", summary: "Schedule an interview and send calendar invitations (staff)",
                  tag: "interviews", access: .required, pathParameters: ["application_id"], body: "ScheduleInterviewRequest",
                  success: (201, "The interview (Location header)", ref("Interview")), errors: [401, 403, 415, 422]),
        Operation(method: "GET", path: "/api/applications/{application_id}/interviews", summary: "An application's interviews (staff; its candidate without interviewer_ids)",
                  tag: "interviews", access: .required, pathParameters: ["application_id"], paginated: true,
                  success: (200, "Interviews by start time", arrayOf("Interview")), errors: [401, 422]),
        Operation(method: "GET", path: "/api/interviews", summary: "The tenant's interviews by interviewer and start time (staff)", tag: "interviews",
                  access: .required, query: [("interviewer_id", id(minimum: 1), "Only interviews this user interviews on"),
                                             ("from", time, "starts_at at or after this time"), ("to", time, "starts_at before this time")],
                  paginated: true, success: (200, "Interviews by start time", arrayOf("Interview")), errors: [401, 403, 422]),
        Operation(method: "GET", path: "/api/interviews/{interview_id}", summary: "An interview (staff; its candidate without interviewer_ids)",
                  tag: "interviews", access: .required, pathParameters: ["interview_id"], success: (200, "The interview", ref("Interview")), errors: [401]),
        Operation(method: "PATCH", path: "/api/interviews/{interview_id}", summary: "Edit or reschedule; updated invitations go out (staff)",
                  tag: "interviews", access: .required, pathParameters: ["interview_id"], body: "UpdateInterviewRequest",
                  success: (200, "The interview", ref("Interview")), errors: [401, 409, 415, 422]),
        Operation(method: "POST", path: "/api/interviews/{interview_id}/cancel", summary: "Cancel; METHOD:CANCEL mails go out (staff; the body may be left out)",
                  tag: "interviews", access: .required, pathParameters: ["interview_id"], body: "CancelInterviewRequest",
                  success: (200, "The cancelled interview", ref("Interview")), errors: [401, 409, 415, 422]),
        Operation(method: "POST", path: "/api/interviews/{interview_id}/scorecards", summary: "Submit your scorecard (an interviewer of it, or an admin)",
                  tag: "interviews", access: .required, pathParameters: ["interview_id"], body: "ScorecardRequest",
                  success: (201, "The scorecard (Location header)", ref("Scorecard")), errors: [401, 403, 409, 415, 422]),
        Operation(method: "PATCH", path: "/api/scorecards/{scorecard_id}", summary: "Edit your scorecard (its author)", tag: "interviews", access: .required,
                  pathParameters: ["scorecard_id"], body: "UpdateScorecardRequest", success: (200, "The scorecard", ref("Scorecard")),
                  errors: [401, 403, 415, 422]),
        Operation(method: "GET", path: "/api/applications/{application_id}/scorecards", summary: "An application's scorecards, blind until you submit yours (staff)",
                  tag: "interviews", access: .required, pathParameters: ["application_id"], paginated: true,
                  success: (200, "Scorecards, oldest first", arrayOf("Scorecard")), errors: [401, 403, 422]),
        Operation(method: "GET", path: "/api/audit-events", summary: "The audit log, newest first (admin)", tag: "audit", access: .required,
                  query: [("actor_id", id(minimum: 1), "Entries by this user"),
                          ("action", enumeration(AuditAction.allCases.map(\.rawValue)), "Entries of this action"),
                          ("resource_type", enumeration(AuditResourceType.allCases.map(\.rawValue)), "Entries about this kind of resource"),
                          ("resource_id", id(minimum: 1), "Entries about the resource with this id"),
                          ("from", time, "created_at at or after this time"), ("to", time, "created_at before this time")],
                  paginated: true, success: (200, "Audit entries, newest first (X-Total-Count counts up to 10,000)", arrayOf("AuditEvent")),
                  errors: [401, 403, 422]),
    ]

    static let description = "Multi-tenant applicant tracking system. The tenant comes from X-Tenant, else the Host under ATS_BASE_DOMAIN, else the default tenant. Errors are RFC 9457 problem+json."

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
            ("info", .object([("title", .string("ATS API")), ("version", .string(ATSVersion.string)), ("description", .string(description))])),
            ("tags", .array(tags.map { .object([("name", .string($0.name)), ("description", .string($0.description))]) })),
            ("paths", .object(paths)),
            ("webhooks", webhookDelivery),
            ("components", components()),
        ])
    }

    static let tags: [(name: String, description: String)] = [
        ("auth", "Sign up, log in, passwords and sessions, the signed-in user"), ("users", "The tenant's users (admin)"), ("jobs", "Job postings"),
        ("applications", "Applications and the stage workflow"), ("notifications", "The notification outbox (admin)"),
        ("privacy", "GDPR: export, anonymization, erasure"),
        ("api-keys", "API keys for integrations (admin)"), ("webhooks", "Signed event deliveries to your endpoints (admin)"), ("tenant", "The tenant's name and settings"),
        ("candidates", "The talent pool (staff)"),
        ("notes", "Staff notes on applications"), ("documents", "Résumés and attachments"), ("interviews", "Interviews, calendar invitations and scorecards"),
        ("pipelines", "Stages per job and the tenant's template"), ("rejection-reasons", "Why applications are rejected"),
        ("reports", "Funnel, time in stage and sources over the applications created in a window"),
        ("audit", "Who did what: every write, login and password reset (admin)"),
        ("operator", "Tenants managed by the hosting company (ATS_OPERATOR_TOKEN; no tenant)"),
        ("operations", "Health, readiness, metrics, this document (no tenant, no auth)"),
    ]

    private static func orderedPaths() -> [String] {
        var seen: [String] = []
        for op in operations where !seen.contains(op.path) { seen.append(op.path) }
        return seen
    }

    /// What each error status means, as the responses describe it.
    static func errorDescription(_ code: Int) -> String {
        switch code {
        case 400: return "Malformed JSON, query string or HTTP"
        case 401: return "No, invalid or expired token, or wrong credentials (WWW-Authenticate: Bearer)"
        case 403: return "Authenticated, but the role may not do this"
        case 404: return "No such resource in this tenant, or an unknown tenant"
        case 409: return "Conflict: duplicate, invalid stage transition (allowed lists the legal ones), or a job with applications"
        case 412: return "If-Match given and the ETag differs"
        case 413: return "The body is larger than the route takes (ATS_MAX_UPLOAD for uploads, else ATS_MAX_BODY)"
        case 415: return "The body is not application/json (uploads: not an accepted format, or not the declared one)"
        case 422: return "Validation: errors names each field (an empty field is the whole body)"
        case 429: return "Too many attempts; retry after Retry-After seconds"
        case 503: return "Overloaded, or the database is down; retry after Retry-After seconds"
        default: return HTTPStatus.reason(code)
        }
    }

    private static func operation(_ op: Operation) -> JSONValue {
        let parameters: [JSONValue] = op.parameters.map {
            .object([("name", .string($0.name)), ("in", .string($0.location.rawValue)), ("required", .bool($0.location == .path)),
                     ("description", .string($0.description)), ("schema", $0.schema)])
        }
        var fields: [(key: String, value: JSONValue)] = [
            ("summary", .string(op.summary)), ("operationId", .string(op.operationID)), ("tags", .array([.string(op.tag)])),
        ]
        if !parameters.isEmpty { fields.append(("parameters", .array(parameters))) }
        let schemes: [JSONValue] = [.object([("OAuth2Password", .array([]))]), .object([("BearerAuth", .array([]))])]
        switch op.access {
        case .anonymous: break
        case .optional: fields.append(("security", .array([.object([])] + schemes)))
        case .required: fields.append(("security", .array(schemes)))
        case .operatorToken: fields.append(("security", .array([.object([("OperatorBearer", .array([]))])])))
        }
        if let body = op.body {
            var content: [(key: String, value: JSONValue)] = [("application/json", .object([("schema", ref(body))]))]
            if op.formLogin { content.append(("application/x-www-form-urlencoded", .object([("schema", ref("LoginForm"))]))) }
            fields.append(("requestBody", .object([("required", .bool(!op.bodyIsOptional)), ("content", .object(content))])))
        }
        if op.upload { fields.append(("requestBody", uploadBody)) }
        var responses: [(key: String, value: JSONValue)] = []
        var success: [(key: String, value: JSONValue)] = [("description", .string(op.success.description))]
        if op.download {
            let binary: JSONValue = .object([("type", .string("string")), ("format", .string("binary"))])
            success.append(("headers", .object([
                ("ETag", .object([("description", .string("The content's SHA-256, quoted")), ("schema", string)])),
                ("Content-Disposition", .object([("description", .string("attachment; filename*=UTF-8''…")), ("schema", string)])),
                ("Cache-Control", .object([("schema", enumeration(["private, no-store"]))])),
                ("X-Content-Type-Options", .object([("schema", enumeration(["nosniff"]))])),
            ])))
            success.append(("content", .object(DocumentFormat.allCases.map { (key: $0.contentType, value: JSONValue.object([("schema", binary)])) })))
            responses.append(("304", .object([("description", .string("If-None-Match matched the ETag: not modified"))])))
        }
        if op.paginated {
            success.append(("headers", .object([
                ("X-Total-Count", .object([("description", .string("Rows matching the filters")), ("schema", .object([("type", .string("integer"))]))])),
                ("Link", .object([("description", .string("RFC 8288 next/prev links (in keyset mode, next only, with the next cursor)")), ("schema", string)])),
                ("X-Total-Count-Exact", .object([("description", .string("false when counting stopped at a bound (the jobs, applications and candidates lists and the audit log count up to 10,000): X-Total-Count is then a lower bound")),
                                                 ("schema", enumeration(["false"]))])),
            ])))
        }
        if let schema = op.success.schema { success.append(("content", .object([("application/json", .object([("schema", schema)]))]))) }
        responses.insert((String(op.success.code), .object(success)), at: 0)
        for code in op.errorStatuses {
            responses.append((String(code), .object([("description", .string(errorDescription(code))),
                                                     ("content", .object([("application/problem+json", .object([("schema", ref("Problem"))]))]))])))
        }
        fields.append(("responses", .object(responses)))
        return .object(fields)
    }

    /// Both upload forms (API.md, Documents): Swagger UI shows a file picker for either.
    static var uploadBody: JSONValue {
        let binary: JSONValue = .object([("type", .string("string")), ("format", .string("binary"))])
        let form = object([("file", binary), ("kind", enumeration(DocumentKind.allCases.map(\.rawValue)))], required: ["file"])
        var content: [(key: String, value: JSONValue)] = [("multipart/form-data", .object([("schema", form)]))]
        content += (["application/octet-stream"] + DocumentFormat.allCases.map(\.contentType)).map { (key: $0, value: JSONValue.object([("schema", binary)])) }
        return .object([("required", .bool(true)), ("content", .object(content))])
    }

    private static func object(_ properties: [(String, JSONValue)], required: [String], additional: Bool = false, example: JSONValue? = nil) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("type", .string("object")), ("properties", .object(properties.map { (key: $0.0, value: $0.1) })),
            ("required", .array(required.map(JSONValue.string))), ("additionalProperties", .bool(additional)),
        ]
        if let example { fields.append(("example", example)) }
        return .object(fields)
    }

    /// Any text without NUL (a body string holding U+0000 is 422).
    static let noNUL = "^[^\\u0000]*$"

    /// A request string of `min`…`max` code points. `trimmed`: the server trims spaces,
    /// tabs and line breaks first, so a required one needs more than those.
    private static func text(_ min: Int, _ max: Int, nullable: Bool = false, trimmed: Bool = false) -> JSONValue {
        let pattern = trimmed && min > 0 ? "^[^\\u0000]*[^\\u0000\\t\\n\\r ][^\\u0000]*$" : noNUL
        return .object([("type", nullable ? .array([.string("string"), .string("null")]) : .string("string")),
                        ("minLength", .int(Int64(min))), ("maxLength", .int(Int64(max))), ("pattern", .string(pattern))])
    }

    /// An email address as the server takes it (3–254 code points, one `@`, a dot in the domain).
    /// An email the server accepts (`Validation.normalizedEmail`): one `@`, no spaces or
    /// control characters, a dot inside the domain. Addresses under the bare reserved
    /// name `invalid` (anonymized people: `anonymized-<id>@invalid`) can never be registered.
    private static let email: JSONValue = .object([
        ("type", .string("string")), ("format", .string("email")), ("minLength", .int(3)), ("maxLength", .int(254)),
        ("pattern", .string("^[^@\\u0000-\\u0020\\u007f]+@[^@.\\u0000-\\u0020\\u007f][^@\\u0000-\\u0020\\u007f]*\\.[^@\\u0000-\\u0020\\u007f]*[^@.\\u0000-\\u0020\\u007f]$")),
    ])

    static func id(minimum: Int64? = nil) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [("type", .string("integer")), ("format", .string("int64"))]
        if let minimum { fields += [("minimum", .int(minimum)), ("maximum", .int(Int64.max))] }
        return .object(fields)
    }

    private static let time: JSONValue = .object([("type", .string("string")), ("format", .string("date-time"))])
    private static let count: JSONValue = .object([("type", .string("integer")), ("minimum", .int(0))])
    private static let hours: JSONValue = .object([("type", .array([.string("number"), .string("null")])), ("minimum", .int(0))])
    private static let nullableText: JSONValue = .object([("type", .array([.string("string"), .string("null")]))])
    private static let nullableID: JSONValue = .object([("type", .array([.string("integer"), .string("null")]))])
    private static let nullableTime: JSONValue = .object([("type", .array([.string("string"), .string("null")])), ("format", .string("date-time"))])

    /// A component schema by name.
    static func schema(_ name: String) -> JSONValue? { schemas.first { $0.key == name }?.value }

    private static let schemas: [(key: String, value: JSONValue)] = {
        let roles = enumeration(Role.allCases.map(\.rawValue))
        // Any key: jobs may have their own stages (the default ones are applied … rejected).
        let stages: JSONValue = .object([("type", .string("string")), ("pattern", .string("^[a-z0-9][a-z0-9_-]{0,39}$"))])
        let rejection = object([("reason_id", .object([("type", .array([.string("integer"), .string("null")]))])), ("reason", nullableText), ("note", nullableText)],
                               required: ["reason_id", "reason", "note"])
        let pipelineStage = object([("key", stages), ("name", text(1, 100, trimmed: true)), ("kind", enumeration(Pipeline.Kind.onPath.map(\.rawValue)))],
                                   required: ["key", "name", "kind"])
        let pipelineFields: [(String, JSONValue)] = [("stages", .object([("type", .string("array")), ("items", pipelineStage), ("minItems", .int(2)), ("maxItems", .int(20))])),
                                                     ("allow_skip", .object([("type", .string("boolean"))])), ("allow_back", .object([("type", .string("boolean"))]))]
        let reasonKinds = enumeration(RejectionReason.Kind.allCases.map(\.rawValue))
        let pipelineExample: JSONValue = .object([("stages", .array([
            .object([("key", .string("applied")), ("name", .string("Applied")), ("kind", .string("applied"))]),
            .object([("key", .string("phone-screen")), ("name", .string("Phone screen")), ("kind", .string("screening"))]),
            .object([("key", .string("hired")), ("name", .string("Hired")), ("kind", .string("hired"))]),
        ])), ("allow_skip", .bool(false)), ("allow_back", .bool(true))])
        let statuses = enumeration(JobStatus.allCases.map(\.rawValue))
        let id = OpenAPIDocument.id(minimum: 1)
        let applicationFields: [(String, JSONValue)] = [
            ("id", id), ("job_id", id), ("candidate_id", id), ("stage", stages), ("cover_letter", nullableText),
            ("resume_url", nullableText), ("created_at", time), ("updated_at", time), ("source", nullableText),
            ("rejection", .object([("oneOf", .array([.object([("type", .string("null"))]), rejection]))])),
            ("resume_document_id", .object([("type", .array([.string("integer"), .string("null")])), ("minimum", .int(1))])),
        ]
        let links = JSONValue.object([("type", .string("array")), ("maxItems", .int(10)),
                                      ("items", .object([("type", .string("string")), ("minLength", .int(1)), ("maxLength", .int(2000)),
                                                         ("pattern", .string("^[Hh][Tt][Tt][Pp][Ss]?://[^/\\u0000-\\u0020\\u007f][^\\u0000-\\u0020\\u007f]*$"))]))])
        let tags = JSONValue.object([("type", .string("array")), ("maxItems", .int(50)), ("items", text(1, 50, trimmed: true)),
                                     ("description", .string("Stored trimmed and lower-cased, repeats dropped"))])
        let profile: [(String, JSONValue)] = [("phone", text(0, 50, nullable: true)), ("location", text(0, 200, nullable: true)), ("links", links),
                                              ("tags", tags), ("source", text(0, 100, nullable: true))]
        let recommendations = enumeration(Recommendation.allCases.map(\.rawValue))
        let ratings: JSONValue = .object([("type", .string("array")), ("maxItems", .int(Int64(Scorecard.maxRatings))),
                                          ("items", object([("attribute", text(1, 100, trimmed: true)),
                                                            ("rating", .object([("type", .string("integer")), ("minimum", .int(1)), ("maximum", .int(4))]))],
                                                           required: ["attribute", "rating"]))])
        let rfc3339: JSONValue = .object([("type", .string("string")), ("format", .string("date-time"))])
        let interviewFields: [(key: String, value: JSONValue)] = [
            ("starts_at", rfc3339), ("ends_at", rfc3339),
            ("location", text(0, 500, nullable: true, trimmed: true)),
            ("video_url", .object([("type", .array([.string("string"), .string("null")])), ("minLength", .int(1)), ("maxLength", .int(2000)),
                                   ("pattern", .string("^[Hh][Tt][Tt][Pp][Ss]?://[^/\\u0000-\\u0020\\u007f][^\\u0000-\\u0020\\u007f]*$")),
                                   ("description", .string("An absolute http(s) URL"))])),
            ("interviewer_ids", .object([("type", .string("array")), ("minItems", .int(1)), ("maxItems", .int(Int64(Interview.maxInterviewers))),
                                         ("uniqueItems", .bool(true)), ("items", id),
                                         ("description", .string("Active recruiters or admins of the tenant"))])),
        ]
        return [
            ("User", object([("id", id), ("email", .object([("type", .string("string")), ("format", .string("email"))])), ("full_name", nullableText), ("role", roles),
                             ("is_active", .object([("type", .string("boolean"))])), ("created_at", time)],
                            required: ["id", "email", "full_name", "role", "is_active", "created_at"])),
            ("Job", object([("id", id), ("title", string), ("company", string), ("description", nullableText), ("location", nullableText),
                            ("status", statuses), ("created_by", id), ("created_at", time), ("updated_at", time)],
                           required: ["id", "title", "company", "description", "location", "status", "created_by", "created_at", "updated_at"])),
            ("Application", object(applicationFields, required: applicationFields.map(\.0))),
            // An export's application: the same fields and its history.
            ("ApplicationWithEvents", object(applicationFields + [("events", arrayOf("ApplicationEvent"))],
                                             required: applicationFields.map(\.0) + ["events"])),
            ("ApplicationEvent", object([("id", id), ("from_stage", .object([("type", .array([.string("string"), .string("null")]))])), ("to_stage", stages),
                                         ("actor_id", .object([("type", .array([.string("integer"), .string("null")])), ("minimum", .int(1))])), ("note", nullableText), ("created_at", time)],
                                        required: ["id", "from_stage", "to_stage", "actor_id", "note", "created_at"])),
            ("Notification", object([("id", id), ("kind", string), ("recipient", string), ("status", enumeration(OutboxStatus.allCases.map(\.rawValue))),
                                     ("attempts", .object([("type", .string("integer")), ("minimum", .int(0))])), ("last_error", nullableText), ("created_at", time), ("sent_at", nullableTime)],
                                    required: ["id", "kind", "recipient", "status", "attempts", "last_error", "created_at", "sent_at"])),
            ("Token", object([("access_token", string), ("token_type", enumeration(["bearer"])), ("expires_in", .object([("type", .string("integer"))]))],
                             required: ["access_token", "token_type", "expires_in"])),
            ("Problem", object([("type", string), ("title", string), ("status", .object([("type", .string("integer"))])), ("detail", string),
                                ("errors", .object([("type", .string("array")), ("items", object([("field", string), ("message", string)], required: ["field", "message"]))])),
                                ("allowed", .object([("type", .string("array")), ("items", stages)])),
                                ("existing_id", .object([("type", .string("integer")), ("description", .string("409 on POST /api/candidates: the candidate with this email"))])),
                                ("job_ids", .object([("type", .string("array")), ("items", .object([("type", .string("integer"))])),
                                                     ("description", .string("409 on a merge: the jobs both candidates applied to"))])),
                                ("stages", .object([("type", .string("array")), ("items", stages)])),
                                ("application_ids", .object([("type", .string("array")), ("items", id)]))],
                               required: ["type", "title", "status", "detail"], additional: true)),
            ("SignupRequest", object([("email", email), ("password", text(8, 1024)), ("full_name", text(0, 200, nullable: true, trimmed: true)), ("role", roles)],
                                     required: ["email", "password"],
                                     example: .object([("email", .string("candidate@example.com")), ("password", .string("a long passphrase")), ("full_name", .string("Ada Lovelace"))]))),
            ("CreateUserRequest", object([("email", email), ("password", text(8, 1024)), ("full_name", text(0, 200, nullable: true, trimmed: true)), ("role", roles)],
                                         required: ["email", "password", "role"],
                                         example: .object([("email", .string("recruiter@example.com")), ("password", .string("a long passphrase")),
                                                           ("full_name", .string("Grace Hopper")), ("role", .string("recruiter"))]))),
            ("UpdateUserRequest", object([("role", roles), ("is_active", .object([("type", .string("boolean"))])), ("full_name", text(0, 200, nullable: true, trimmed: true))],
                                         required: [], example: .object([("role", .string("recruiter"))]))),
            ("LoginRequest", object([("email", text(1, 320, trimmed: true)), ("password", text(1, 1024))], required: ["email", "password"],
                                    example: .object([("email", .string("admin@example.com")), ("password", .string("a long passphrase"))]))),
            ("LoginForm", object([("username", .object([("type", .string("string")), ("minLength", .int(1))])), ("password", .object([("type", .string("string")), ("minLength", .int(1))]))],
                                 required: ["username", "password"], additional: true)),
            ("CreateJobRequest", object([("title", text(1, 200, trimmed: true)), ("company", text(1, 200, trimmed: true)), ("description", text(0, 20_000, nullable: true)),
                                         ("location", text(0, 200, nullable: true, trimmed: true)), ("status", statuses)],
                                        required: ["title", "company"],
                                        example: .object([("title", .string("Backend Developer")), ("company", .string("TechCorp")),
                                                          ("description", .string("Swift on the server.")), ("location", .string("Remote")), ("status", .string("open"))]))),
            ("UpdateJobRequest", object([("title", text(1, 200, trimmed: true)), ("company", text(1, 200, trimmed: true)), ("description", text(0, 20_000, nullable: true)),
                                         ("location", text(0, 200, nullable: true, trimmed: true)), ("status", statuses)],
                                        required: [], example: .object([("status", .string("closed"))]))),
            ("ApplyRequest", object([("cover_letter", text(0, 10_000, nullable: true)),
                                     ("resume_url", .object([("type", .array([.string("string"), .string("null")])), ("minLength", .int(1)), ("maxLength", .int(2000)),
                                                             ("pattern", .string("^[Hh][Tt][Tt][Pp][Ss]?://[^/\\u0000-\\u0020\\u007f][^\\u0000-\\u0020\\u007f]*$")),
                                                             ("description", .string("An absolute http(s) URL"))])),
                                     ("resume_document_id", .object([("type", .array([.string("integer"), .string("null")])), ("minimum", .int(1)),
                                                                     ("description", .string("One of your documents"))]))],
                                    required: [],
                                    example: .object([("cover_letter", .string("I would like to join.")), ("resume_url", .string("https://cv.example.com/ada.pdf"))]))),
            ("Candidate", object([("id", id), ("email", .object([("type", .string("string")), ("format", .string("email"))])), ("full_name", nullableText), ("role", roles),
                                  ("is_active", .object([("type", .string("boolean"))])), ("created_at", time), ("phone", nullableText), ("location", nullableText),
                                  ("links", .object([("type", .string("array")), ("items", string), ("maxItems", .int(10))])),
                                  ("tags", .object([("type", .string("array")), ("items", string), ("maxItems", .int(50))])), ("source", nullableText),
                                  ("has_password", .object([("type", .string("boolean"))])), ("updated_at", time)],
                                 required: ["id", "email", "full_name", "role", "is_active", "created_at", "phone", "location", "links", "tags", "source",
                                            "has_password", "updated_at"])),
            ("PersonalDataExport", object([("exported_at", time), ("profile", ref("Candidate")),
                                           ("applications", arrayOf("ApplicationWithEvents")),
                                           ("interviews", .object([("type", .string("array"))])), ("documents", .object([("type", .string("array"))])),
                                           ("notifications", arrayOf("Notification")),
                                           ("notes", .object([("type", .string("array")), ("description", .string("Admin export only"))])),
                                           ("scorecards", .object([("type", .string("array")), ("description", .string("Admin export only"))]))],
                                          required: ["exported_at", "profile", "applications", "interviews", "documents", "notifications"])),
            ("EraseRequest", object([("password", text(1, 1024))], required: ["password"], example: .object([("password", .string("your password"))]))),
            ("CreateCandidateRequest", object([("email", email), ("full_name", text(1, 200, trimmed: true))] + profile + [("invite", .object([("type", .string("boolean"))]))],
                                              required: ["email", "full_name"],
                                              example: .object([("email", .string("ada@example.com")), ("full_name", .string("Ada Lovelace")),
                                                                ("tags", .array([.string("swift")])), ("source", .string("referral"))]))),
            ("UpdateCandidateRequest", object([("full_name", text(1, 200, trimmed: true))] + profile, required: [],
                                              example: .object([("tags", .array([.string("swift"), .string("senior")]))]))),
            ("MergeCandidatesRequest", object([("duplicate_id", id)], required: ["duplicate_id"], example: .object([("duplicate_id", .int(42))]))),
            ("AddApplicationRequest", object([("candidate_id", id), ("source", text(0, 100, nullable: true)), ("cover_letter", text(0, 10_000, nullable: true)),
                                              ("resume_url", .object([("type", .array([.string("string"), .string("null")])), ("minLength", .int(1)), ("maxLength", .int(2000)),
                                                                      ("pattern", .string("^[Hh][Tt][Tt][Pp][Ss]?://[^/\\u0000-\\u0020\\u007f][^\\u0000-\\u0020\\u007f]*$")),
                                                                      ("description", .string("An absolute http(s) URL"))])),
                                              ("resume_document_id", .object([("type", .array([.string("integer"), .string("null")])), ("minimum", .int(1))])),
                                              ("notify_candidate", .object([("type", .string("boolean")), ("default", .bool(false)),
                                                                            ("description", .string("true: the candidate gets the application-received mail (the job creator's alert always goes)"))]))],
                                             required: ["candidate_id"],
                                             example: .object([("candidate_id", .int(42)), ("source", .string("referral")), ("notify_candidate", .bool(false))]))),
            ("Document", object([("id", id), ("candidate_id", id), ("kind", enumeration(DocumentKind.allCases.map(\.rawValue))), ("filename", string),
                                 ("content_type", string), ("size", .object([("type", .string("integer")), ("minimum", .int(1))])),
                                 ("sha256", .object([("type", .string("string")), ("pattern", .string("^[0-9a-f]{64}$"))])),
                                 ("uploaded_by", .object([("type", .array([.string("integer"), .string("null")]))])), ("created_at", time)],
                                required: ["id", "candidate_id", "kind", "filename", "content_type", "size", "sha256", "uploaded_by", "created_at"])),
            ("AuditEvent", object([("id", id), ("actor_id", nullableID), ("api_key_id", nullableID),
                                   ("action", enumeration(AuditAction.allCases.map(\.rawValue))),
                                   ("resource_type", enumeration(AuditResourceType.allCases.map(\.rawValue))), ("resource_id", nullableID),
                                   ("request_id", nullableText), ("ip", nullableText), ("created_at", time),
                                   ("changes", .object([("type", .string("object")), ("description", .string("{field: {old, new}} of what changed; never a secret")),
                                                        ("additionalProperties", .object([("type", .string("object")),
                                                                                          ("required", .array([.string("old"), .string("new")]))]))]))],
                                  required: ["id", "actor_id", "api_key_id", "action", "resource_type", "resource_id", "request_id", "ip", "created_at", "changes"])),
            ("Note", object([("id", id), ("application_id", id), ("author_id", .object([("type", .array([.string("integer"), .string("null")]))])),
                             ("body", string), ("created_at", time)], required: ["id", "application_id", "author_id", "body", "created_at"])),
            ("CreateNoteRequest", object([("body", text(1, 10_000, trimmed: true))], required: ["body"],
                                         example: .object([("body", .string("Strong system design answers."))]))),
            ("Interview", object([("id", id), ("application_id", id), ("title", string), ("starts_at", time), ("ends_at", time), ("location", nullableText),
                                  ("video_url", nullableText), ("interviewer_ids", .object([("type", .string("array")), ("items", id),
                                                                                             ("description", .string("Staff only: the candidate's view leaves it out"))])),
                                  ("status", enumeration(InterviewStatus.allCases.map(\.rawValue))),
                                  ("created_by", .object([("type", .array([.string("integer"), .string("null")]))])), ("created_at", time), ("updated_at", time)],
                                 required: ["id", "application_id", "title", "starts_at", "ends_at", "location", "video_url", "status", "created_by",
                                            "created_at", "updated_at"])),
            ("ScheduleInterviewRequest", object([("title", text(1, 200, nullable: true, trimmed: true))] + interviewFields + [("notify", .object([("type", .string("boolean")), ("default", .bool(true))]))],
                                                required: ["starts_at", "ends_at", "interviewer_ids"],
                                                example: .object([("title", .string("Technical interview")), ("starts_at", .string("2026-12-01T14:00:00Z")),
                                                                  ("ends_at", .string("2026-12-01T15:00:00Z")), ("video_url", .string("https://meet.example.com/abc")),
                                                                  ("interviewer_ids", .array([.int(1)]))]))),
            ("UpdateInterviewRequest", object([("title", text(1, 200, trimmed: true))] + interviewFields + [("notify", .object([("type", .string("boolean")), ("default", .bool(true))]))],
                                              required: [], example: .object([("starts_at", .string("2026-12-02T14:00:00Z")), ("ends_at", .string("2026-12-02T15:00:00Z"))]))),
            ("CancelInterviewRequest", object([("notify", .object([("type", .string("boolean")), ("default", .bool(true))]))], required: [],
                                              example: .object([]))),
            ("Scorecard", object([("id", id), ("interview_id", id), ("application_id", id), ("author_id", id), ("recommendation", recommendations),
                                  ("ratings", ratings), ("notes", nullableText), ("created_at", time), ("updated_at", time)],
                                 required: ["id", "interview_id", "application_id", "author_id", "recommendation", "ratings", "notes", "created_at", "updated_at"])),
            ("ScorecardRequest", object([("recommendation", recommendations), ("ratings", ratings), ("notes", text(0, 10_000, nullable: true))],
                                        required: ["recommendation"],
                                        example: .object([("recommendation", .string("yes")),
                                                          ("ratings", .array([.object([("attribute", .string("Communication")), ("rating", .int(3))])]))]))),
            ("UpdateScorecardRequest", object([("recommendation", recommendations), ("ratings", ratings), ("notes", text(0, 10_000, nullable: true))],
                                              required: [], example: .object([("recommendation", .string("strong_yes"))]))),
            ("Accepted", object([("detail", string)], required: ["detail"])),
            ("UpdateMeRequest", object([("full_name", text(0, 200, nullable: true, trimmed: true)), ("phone", text(0, 50, nullable: true)),
                                        ("location", text(0, 200, nullable: true)),
                                        ("links", .object([("type", .string("array")), ("maxItems", .int(10)),
                                                           ("items", .object([("type", .string("string")), ("minLength", .int(1)), ("maxLength", .int(2000)),
                                                                              ("pattern", .string("^[Hh][Tt][Tt][Pp][Ss]?://[^/\\u0000-\\u0020\\u007f][^\\u0000-\\u0020\\u007f]*$"))]))]))],
                                       required: [], example: .object([("full_name", .string("Ada Lovelace")), ("phone", .string("+44 20 7946 0000"))]))),
            ("PasswordChangeRequest", object([("current_password", text(1, 1024)), ("new_password", text(8, 1024))], required: ["current_password", "new_password"],
                                             example: .object([("current_password", .string("the old passphrase")), ("new_password", .string("a new long passphrase"))]))),
            ("PasswordResetRequest", object([("email", text(0, 100_000))], required: ["email"], example: .object([("email", .string("ada@example.com"))]))),
            ("PasswordResetConfirmRequest", object([("token", text(1, 200)), ("new_password", text(8, 1024))], required: ["token", "new_password"],
                                                   example: .object([("token", .string("the token from the mail")), ("new_password", .string("a new long passphrase"))]))),
            ("LogoutRequest", object([], required: [])),
            ("Pipeline", object(pipelineFields, required: ["stages", "allow_skip", "allow_back"])),
            ("PipelineRequest", object(pipelineFields, required: ["stages", "allow_skip", "allow_back"], example: pipelineExample)),
            ("JobPipelineRequest", object(pipelineFields + [("move", .object([("type", .string("object")), ("additionalProperties", stages),
                                                                              ("description", .string("old stage key → new stage key, for removed stages that hold applications"))]))],
                                          required: ["stages", "allow_skip", "allow_back"], example: pipelineExample)),
            ("FunnelReport", object([("job_id", .object([("type", .array([.string("integer"), .string("null")]))])), ("from", time), ("to", time),
                                     ("applications", count), ("stages", .object([("type", .string("array")), ("items", object(
                                        [("key", string), ("name", string), ("kind", string), ("reached", count), ("current", count)],
                                        required: ["key", "name", "kind", "reached", "current"]))])),
                                     ("hired", count), ("rejected", count)],
                                    required: ["job_id", "from", "to", "applications", "stages", "hired", "rejected"])),
            ("StageDuration", object([("key", string), ("name", string), ("samples", count), ("median_hours", hours), ("p90_hours", hours)],
                                     required: ["key", "name", "samples", "median_hours", "p90_hours"])),
            ("SourceReport", object([("source", string), ("applications", count), ("hired", count)], required: ["source", "applications", "hired"])),
            ("RejectionReason", object([("id", id), ("name", string), ("kind", reasonKinds), ("archived", .object([("type", .string("boolean"))]))],
                                       required: ["id", "name", "kind", "archived"])),
            ("CreateRejectionReasonRequest", object([("name", text(1, 100, trimmed: true)), ("kind", reasonKinds)], required: ["name", "kind"],
                                                    example: .object([("name", .string("Salary expectations")), ("kind", .string("we_rejected"))]))),
            ("UpdateRejectionReasonRequest", object([("name", text(1, 100, trimmed: true)), ("archived", .object([("type", .string("boolean"))]))], required: [],
                                                    example: .object([("archived", .bool(true))]))),
            ("BulkStageRequest", object([("application_ids", .object([("type", .string("array")), ("items", id), ("minItems", .int(1)), ("maxItems", .int(500))])),
                                         ("stage", stages), ("note", text(0, 2000, nullable: true)),
                                         ("rejection_reason_id", .object([("type", .array([.string("integer"), .string("null")])), ("minimum", .int(1))])),
                                         ("notify_candidate", .object([("type", .string("boolean")), ("default", .bool(true))]))],
                                        required: ["application_ids", "stage"],
                                        example: .object([("application_ids", .array([.int(1), .int(2)])), ("stage", .string("screening"))]))),
            ("StageChangeRequest", object([("stage", stages), ("note", text(0, 2000, nullable: true)),
                                           ("rejection_reason_id", .object([("type", .array([.string("integer"), .string("null")])), ("minimum", .int(1))])),
                                           ("notify_candidate", .object([("type", .string("boolean")), ("default", .bool(true))]))], required: ["stage"],
                                          example: .object([("stage", .string("screening")), ("note", .string("Strong profile"))]))),
            ("APIKey", object(apiKeyFields, required: apiKeyFields.map(\.0))),
            ("CreatedAPIKey", object(apiKeyFields + [("key", .object([("type", .string("string")), ("pattern", .string("^ats_[a-z2-7]{8}_[A-Za-z0-9_-]{43}$")),
                                                                       ("description", .string("The key: use it as Authorization: Bearer <key>. Shown only here."))]))],
                                     required: apiKeyFields.map(\.0) + ["key"])),
            ("CreateAPIKeyRequest", object([("name", text(1, APIKeyService.nameLength.upperBound, trimmed: true)), ("role", enumeration(APIKey.roles.map(\.rawValue)))],
                                           required: ["name", "role"], example: .object([("name", .string("HRIS sync")), ("role", .string("recruiter"))]))),
            ("Webhook", object(webhookFields, required: webhookFields.map(\.0))),
            ("CreatedWebhook", object(webhookFields + [("secret", .object([("type", .string("string")), ("pattern", .string("^whsec_[A-Za-z0-9]{40}$")),
                                                                            ("description", .string("Signs deliveries (ATS-Signature). Shown only here."))]))],
                                      required: webhookFields.map(\.0) + ["secret"])),
            ("CreateWebhookRequest", object(webhookRequestFields, required: ["url", "events"],
                                            example: .object([("url", .string("https://hooks.example.com/ats")), ("events", .array([.string("application.created")]))]))),
            ("UpdateWebhookRequest", object(webhookRequestFields, required: [], example: .object([("active", .bool(true))]))),
            ("WebhookDelivery", object([("id", id), ("event_id", id), ("event_type", webhookEvents),
                                        ("status", enumeration(["pending", "succeeded", "failed", "dead"])), ("attempts", .object([("type", .string("integer")), ("minimum", .int(0))])),
                                        ("response_status", .object([("type", .array([.string("integer"), .string("null")]))])),
                                        ("duration_ms", .object([("type", .array([.string("integer"), .string("null")]))])),
                                        ("last_error", .object([("type", .array([.string("string"), .string("null")]))])), ("next_attempt_at", nullableTime),
                                        ("created_at", time)],
                                       required: ["id", "event_id", "event_type", "status", "attempts", "response_status", "duration_ms", "last_error",
                                                  "next_attempt_at", "created_at"])),
            ("TenantSettings", object(tenantSettingsFields, required: tenantSettingsFields.map(\.0))),
            ("Tenant", object([("slug", string), ("name", string), ("settings", ref("TenantSettings"))], required: ["slug", "name", "settings"])),
            ("OperatorTenant", object([("slug", operatorSlug), ("name", string), ("status", enumeration(TenantStatus.allCases.map(\.rawValue))), ("created_at", time)],
                                      required: ["slug", "name", "status", "created_at"])),
            ("CreateOperatorTenantRequest", object([("slug", operatorSlug), ("name", text(1, TenantSettingsService.nameLength.upperBound, trimmed: true)),
                                                    ("admin_email", email), ("admin_name", text(1, 200, nullable: true, trimmed: true))],
                                                   required: ["slug", "name", "admin_email"],
                                                   example: .object([("slug", .string("acme")), ("name", .string("Acme Inc.")),
                                                                     ("admin_email", .string("admin@acme.example")), ("admin_name", .string("Ada Admin"))]))),
            ("UpdateOperatorTenantRequest", object([("name", text(1, TenantSettingsService.nameLength.upperBound, trimmed: true)),
                                                    ("status", enumeration(TenantStatus.allCases.map(\.rawValue)))], required: [])),
            ("TenantUsage", object(["users", "candidates", "jobs", "applications", "documents_bytes", "requests_24h"].map {
                ($0, JSONValue.object([("type", .string("integer")), ("minimum", .int(0))]))
            }, required: ["users", "candidates", "jobs", "applications", "documents_bytes", "requests_24h"])),
            ("UpdateTenantRequest", object([("name", text(1, TenantSettingsService.nameLength.upperBound, trimmed: true)),
                                            ("settings", object(tenantSettingsFields, required: []))],
                                           required: [], example: .object([("settings", .object([("mail_from_name", .string("Acme Recruiting")),
                                                                                                 ("reply_to", .string("jobs@acme.example"))]))]))),
        ]
    }()

    private static let webhookEvents = enumeration(DomainEventType.webhookNames.filter { $0 != "application.received" })
    private static let webhookEventList: JSONValue = .object([("type", .string("array")), ("minItems", .int(1)), ("maxItems", .int(50)),
                                                             ("items", enumeration(["*"] + DomainEventType.webhookNames.filter { $0 != "application.received" && $0 != "ping" }))])
    private static let webhookFields: [(String, JSONValue)] = [
        ("id", id(minimum: 1)), ("url", string), ("events", webhookEventList),
        ("description", .object([("type", .array([.string("string"), .string("null")]))])), ("active", .object([("type", .string("boolean"))])),
        ("created_at", time), ("last_success_at", nullableTime), ("last_failure_at", nullableTime),
        ("consecutive_failures", .object([("type", .string("integer")), ("minimum", .int(0))])),
    ]
    private static let webhookRequestFields: [(String, JSONValue)] = [
        ("url", .object([("type", .string("string")), ("minLength", .int(1)), ("maxLength", .int(Int64(WebhookService.urlLength))), ("format", .string("uri")),
                         ("pattern", .string("^[Hh][Tt][Tt][Pp][Ss]?://[^/\\u0000-\\u0020\\u007f@#][^\\u0000-\\u0020\\u007f@#]*$"))])),
        ("events", webhookEventList), ("description", text(0, WebhookService.descriptionLength.upperBound, nullable: true)),
        ("active", .object([("type", .string("boolean")), ("default", .bool(true))])),
    ]

    /// What a receiver gets (API.md, Webhooks): OpenAPI 3.1's `webhooks`.
    private static let webhookDelivery: JSONValue = {
        func header(_ name: String, _ description: String) -> JSONValue {
            .object([("name", .string(name)), ("in", .string("header")), ("required", .bool(true)), ("description", .string(description)),
                     ("schema", .object([("type", .string("string"))]))])
        }
        return .object([("event", .object([("post", .object([
            ("summary", .string("An event, signed (see docs/webhooks.md); answer 2xx within 10 s, 410 to be disabled")),
            ("parameters", .array([
                header("ATS-Event-ID", "The event's id (the body's id): deduplicate on it"), header("ATS-Event-Type", "The body's type"),
                header("ATS-Delivery-ID", "This delivery"),
                header("ATS-Signature", "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")> (one v1= per live secret)"),
            ])),
            ("requestBody", .object([("required", .bool(true)), ("content", .object([("application/json", .object([("schema", .object([
                ("type", .string("object")),
                ("properties", .object([("id", .object([("type", .string("integer")), ("minimum", .int(1))])), ("type", webhookEvents),
                                        ("created_at", .object([("type", .string("string")), ("format", .string("date-time"))])),
                                        ("tenant", .object([("type", .string("string"))])),
                                        ("data", .object([("type", .string("object")), ("description", .string("The resources as they were when it happened"))]))])),
                ("required", .array(["id", "type", "created_at", "tenant", "data"].map(JSONValue.string))),
            ]))]))]))])),
            ("responses", .object([("2XX", .object([("description", .string("Received"))])),
                                   ("410", .object([("description", .string("Gone: the webhook is disabled at once"))]))])),
        ]))]))])
    }()

    private static let apiKeyFields: [(String, JSONValue)] = [
        ("id", id(minimum: 1)), ("name", string), ("role", enumeration(APIKey.roles.map(\.rawValue))),
        ("prefix", .object([("type", .string("string")), ("pattern", .string("^ats_[a-z2-7]{8}$")), ("description", .string("The key's visible start"))])),
        ("created_by", id(minimum: 1)), ("created_at", time), ("last_used_at", nullableTime),
    ]

    /// `TenantSettings.normalizedReplyTo`: local@domain in printable ASCII without
    /// spaces or `<>()[],;:"\\@`, a dot in the domain but not at either end.
    private static let replyToPattern = "^[!#-'*+\\-./0-9=?A-Z^-~]+@[!#-'*+\\-/0-9=?A-Z^-~][!#-'*+\\-./0-9=?A-Z^-~]*\\.[!#-'*+\\-./0-9=?A-Z^-~]*[!#-'*+\\-/0-9=?A-Z^-~]$"

    /// The settings as read and as (partially) written.
    private static let tenantSettingsFields: [(String, JSONValue)] = [
        ("candidate_retention_days", .object([("type", .array([.string("integer"), .string("null")])),
                                              ("minimum", .int(Int64(TenantSettings.retentionDays.lowerBound))),
                                              ("maximum", .int(Int64(TenantSettings.retentionDays.upperBound)))])),
        ("require_rejection_reason", .object([("type", .string("boolean"))])),
        ("mail_from_name", .object([("type", .array([.string("string"), .string("null")])), ("maxLength", .int(Int64(TenantSettings.mailFromNameLength.upperBound))),
                                    ("pattern", .string("^[^\\u0000-\\u001f\\u007f]*$"))])),
        ("reply_to", .object([("type", .array([.string("string"), .string("null")])), ("format", .string("email")), ("minLength", .int(3)), ("maxLength", .int(254)),
                              ("pattern", .string(replyToPattern))])),
    ]

    private static func components() -> JSONValue {
        .object([
            ("schemas", .object(schemas)),
            ("securitySchemes", .object([
                ("OAuth2Password", .object([("type", .string("oauth2")), ("flows", .object([("password", .object([
                    ("tokenUrl", .string("/api/auth/login")), ("scopes", .object([])),
                ]))]))])),
                ("BearerAuth", .object([("type", .string("http")), ("scheme", .string("bearer")), ("bearerFormat", .string("JWT or API key")),
                                        ("description", .string("An access token from /api/auth/login, or an API key (ats_...) from /api/api-keys"))])),
                ("OperatorBearer", .object([("type", .string("http")), ("scheme", .string("bearer")),
                                            ("description", .string("ATS_OPERATOR_TOKEN, for the operator API only (no tenant); unset on the server: those routes are 404"))])),
            ])),
        ])
    }
}

/// Swagger UI's files, read once at startup from `ATS_DOCS_ASSETS` (the process
/// serves them from memory: no file system access per request, no path to traverse).
public struct DocsAssets: Sendable {
    /// What /docs loads; startup fails without them.
    public static let required = ["swagger-ui.css", "swagger-ui-bundle.js"]
    /// Served when present.
    public static let optional = ["favicon-32x32.png", "favicon-16x16.png"]
    let files: [String: [UInt8]]

    public init(files: [String: [UInt8]]) { self.files = files }

    static func contentType(_ name: String) -> String {
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        return "image/png"
    }
}

/// `/openapi.json` and `/docs`: Swagger UI from `ATS_DOCS_ASSETS` under /docs/assets/
/// when configured (air-gapped deployments, CI), else from a CDN as FastAPI serves it.
/// The files are pinned to one release of `swagger-ui-dist` and carry Subresource
/// Integrity hashes, so a changed or compromised file is not run, wherever it comes
/// from; the hashes are those of the npm dist files of that release (as shipped, byte
/// for byte, by the PyPI packages `swagger-ui-bundle-v2` 5.31.0, which scripts/docs-assets
/// installs, and `drf-spectacular-sidecar` 2026.1.1). To upgrade: change the version here
/// and in scripts/docs-assets and recompute both (`openssl dgst -sha384 -binary FILE | base64`).
/// Authorization is not persisted: a bearer token typed into the page is not written to
/// localStorage, where any script of this origin could read it later.
enum OpenAPIRoutes {
    static func docsPage(base: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>ATS API</title>
          <link rel="stylesheet" href="\(base)/swagger-ui.css"
                integrity="sha384-KX9Rx9vM1AmUNAn07bPAiZhFD4C8jdNgG6f5MRNvR+EfAxs2PmMFtUUazui7ryZQ" crossorigin="anonymous">
        </head>
        <body>
          <div id="swagger-ui"></div>
          <script src="\(base)/swagger-ui-bundle.js"
                  integrity="sha384-cxafBeQ+zYROeFafGFxtFbnp1ICqeS9mG7+f0WWSHzhnrUvwg9Za5CCw6wgrHA7K" crossorigin="anonymous"></script>
          <script>
            window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", persistAuthorization: false });
          </script>
        </body>
        </html>
        """
    }

    static let cdnBase = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.31.0"

    static func register(on router: inout Router, assets: DocsAssets? = nil) {
        let document = Array(OpenAPIDocument.json.utf8)
        let page = docsPage(base: assets == nil ? cdnBase : "/docs/assets")
        router.get("/openapi.json", mode: .inline) { _, _ in .json(200, document) }
        router.get("/docs", mode: .inline) { _, _ in .text(200, page, contentType: "text/html; charset=utf-8") }
        let files = assets?.files ?? [:]
        router.get("/docs/assets/{file}", mode: .inline) { _, context in
            guard let name = context.parameters["file"], let bytes = files[name] else {
                throw HTTPError(404, "No such asset\(assets == nil ? " (ATS_DOCS_ASSETS is not set: /docs loads Swagger UI from its CDN)" : "").")
            }
            var headers = HTTPHeaders()
            headers.add("Content-Type", DocsAssets.contentType(name))
            headers.add("Cache-Control", "public, max-age=86400")
            headers.add("X-Content-Type-Options", "nosniff")
            return HTTPResponse(status: 200, headers: headers, body: bytes)
        }
    }
}
