import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// A field-level validation problem (`errors[]` of a 422).
public struct FieldError: Sendable, Equatable {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// Everything a handler can fail with, in API terms. `ProblemMapper` turns these (and
/// storage and token errors) into problem+json in one place.
public enum APIError: Error, Sendable {
    case badRequest(String)
    case unauthorized(String)
    case forbidden(String)
    case notFound(String)
    case conflict(String, allowed: [Stage]? = nil)
    /// A 409 whose problem carries `existing_id` and/or `job_ids`.
    case conflictWith(String, ConflictDetails)
    case preconditionFailed(String)
    case unsupportedMediaType(String)
    case validation([FieldError])
    case tooManyRequests(retryAfter: Int)
    case unavailable(String, retryAfter: Int)
}

/// The single mapping from errors to responses. Unknown errors are bugs: the client gets
/// a 500 naming only the request id, and the server logs what happened.
public enum ProblemMapper {
    public static func response(for error: any Error, context: RequestContext) -> HTTPResponse {
        switch error {
        case let error as APIError: return response(for: error)
        case let error as StorageError: return response(for: error, context: context)
        case let error as DomainError: return response(for: error)
        case is TokenError: return response(for: APIError.unauthorized("The access token is invalid or expired."))
        case let error as HTTPError: return error.response
        default:
            return HTTPError(500, "An unexpected error occurred; quote request id \(context.requestID) when reporting it.").response
        }
    }

    static let maxFieldErrors = 50

    static func response(for error: APIError) -> HTTPResponse {
        switch error {
        case .badRequest(let detail): return HTTPError(400, detail).response
        case .unauthorized(let detail):
            var headers = HTTPHeaders()
            headers.add("WWW-Authenticate", "Bearer")
            return HTTPError(401, detail, headers: headers).response
        case .forbidden(let detail): return HTTPError(403, detail).response
        case .notFound(let detail): return HTTPError(404, detail).response
        case .conflict(let detail, let allowed):
            let extensions = allowed.map { [(name: "allowed", json: JSONValue.array($0.map { .string($0.rawValue) }).text)] } ?? []
            return HTTPError(409, detail, extensions: extensions).response
        case .conflictWith(let detail, let details):
            var extensions: [(name: String, json: String)] = []
            if let id = details.existingID { extensions.append(("existing_id", JSONValue.int(id).text)) }
            if let jobs = details.jobIDs { extensions.append(("job_ids", JSONValue.array(jobs.map { .int($0.rawValue) }).text)) }
            return HTTPError(409, detail, extensions: extensions).response
        case .preconditionFailed(let detail): return HTTPError(412, detail).response
        case .unsupportedMediaType(let detail): return HTTPError(415, detail).response
        case .validation(let all):
            // At most `maxFieldErrors` entries, then one for the rest: 80,000 unknown keys
            // must not make a 6 MB answer.
            var errors = Array(all.prefix(maxFieldErrors))
            if all.count > maxFieldErrors { errors.append(FieldError("*", "and \(all.count - maxFieldErrors) more errors")) }
            let list = JSONValue.array(errors.map { .object([("field", .string($0.field)), ("message", .string($0.message))]) })
            let detail = errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            return HTTPError(422, detail.isEmpty ? "The request is not valid." : detail, extensions: [("errors", list.text)]).response
        case .tooManyRequests(let retryAfter):
            var headers = HTTPHeaders()
            headers.add("Retry-After", String(retryAfter))
            return HTTPError(429, "Too many attempts; retry after \(retryAfter) seconds.", headers: headers).response
        case .unavailable(let detail, let retryAfter):
            var headers = HTTPHeaders()
            headers.add("Retry-After", String(retryAfter))
            return HTTPError(503, detail, headers: headers).response
        }
    }

    static func response(for error: DomainError) -> HTTPResponse {
        switch error {
        case .notFound(let detail): return response(for: APIError.notFound(detail))
        case .forbidden(let detail): return response(for: APIError.forbidden(detail))
        case .unauthenticated(let detail): return response(for: APIError.unauthorized(detail))
        case .conflict(let detail, let allowed): return response(for: APIError.conflict(detail, allowed: allowed))
        case .conflictWith(let detail, let details): return response(for: APIError.conflictWith(detail, details))
        case .preconditionFailed(let detail): return response(for: APIError.preconditionFailed(detail))
        case .invalid(let field, let message): return response(for: APIError.validation([FieldError(field, message)]))
        case .conflictListing(let detail, let member, let items): return HTTPError(409, detail, extensions: [(member, JSONValue.array(items).text)]).response
        case .notFoundListing(let detail, let member, let items): return HTTPError(404, detail, extensions: [(member, JSONValue.array(items).text)]).response
        case .unsupportedContent(let detail): return response(for: APIError.unsupportedMediaType(detail))
        }
    }

    static func response(for error: StorageError, context: RequestContext) -> HTTPResponse {
        switch error {
        case .notFound: return response(for: APIError.notFound("No such resource."))
        case .duplicateEmail: return response(for: APIError.conflict("This email is already registered."))
        case .duplicateSlug: return response(for: APIError.conflict("A tenant with this slug already exists."))
        case .alreadyApplied: return response(for: APIError.conflict("You have already applied to this job."))
        case .staleVersion: return response(for: APIError.conflict("The application was changed by someone else; reload and retry."))
        case .hasDependents: return response(for: APIError.conflict("The job has applications; close it instead of deleting it."))
        case .constraintViolation: return response(for: APIError.conflict("The change conflicts with existing data."))
        case .unavailable, .timeout:
            return response(for: APIError.unavailable("The database is unavailable; retry shortly.", retryAfter: 2))
        case .internalError:
            return HTTPError(500, "An unexpected error occurred; quote request id \(context.requestID) when reporting it.").response
        }
    }
}
