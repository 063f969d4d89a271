import ATSDomain
import ATSFeatures
import ATSHTTP
import ATSPersistence
import ATSSupport

/// Whether a route honours `Idempotency-Key` (API.md, Idempotency keys). Routes whose
/// answers hold tokens or secrets declare `.ignored` where they are registered (login,
/// password change, reset confirmation, API key creation; webhook creation and secret
/// rotation when they land): the header is then ignored and nothing is stored, so a
/// secret is never kept in the database. docs/api-reference.md lists them.
enum IdempotencyPolicy: Sendable {
    case honored
    case ignored
}

/// Marks a POST that carries `Idempotency-Key` for the route's handler step, which runs
/// `IdempotencyGuard` unless the route is `.ignored` (a route's policy is known only
/// where it is registered). Every other request passes untouched.
struct IdempotencyMiddleware: HTTPMiddleware {
    let guardian: IdempotencyGuard

    func handle(_ request: HTTPRequest, _ context: RequestContext, next: HTTPHandler) throws -> HTTPResponse {
        guard request.method == "POST", let key = request.headers["Idempotency-Key"] else { return try next(request, context) }
        var context = context
        context.values[IdempotentRequestKey.self] = IdempotentRequest(key: key, guardian: guardian)
        return try next(request, context)
    }
}

struct IdempotentRequest: Sendable {
    let key: String
    let guardian: IdempotencyGuard
}

enum IdempotentRequestKey: RequestValueKey { typealias Value = IdempotentRequest }

/// Runs a handler under an idempotency key: claims the key (in its own committed
/// transaction, so parallel repeats on any replica see it), runs the handler, keeps its
/// response unless it is a 5xx or a 429 (both say "try again later", so a retry with the
/// same key must run again), and answers repeats from what was kept.
struct IdempotencyGuard: Sendable {
    let database: any Database
    let service: IdempotencyService
    let trustedProxies: TrustedProxies
    let logger: Logger

    func run(_ key: String, _ request: HTTPRequest, _ context: APIContext, _ handler: () throws -> HTTPResponse) throws -> HTTPResponse {
        guard IdempotencyService.isValidKey(key) else { throw APIError.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.") }
        let tenant = context.tenant.id
        let caller = CallerIdentity.of(request, context.route, trustedProxies: trustedProxies)
        let hash = IdempotencyService.fingerprint(method: request.method, target: request.head.target, body: request.body)
        switch try service.begin(database, tenant: tenant, caller: caller, key: key, requestHash: hash) {
        case .replay(let stored): return Self.replay(stored)
        case .inFlight: throw APIError.conflict("A request with this Idempotency-Key is still in progress; retry later.")
        case .mismatch:
            throw APIError.validation([FieldError("Idempotency-Key", "was already used for a different request (method, path or body)")])
        case .proceed: break
        }
        var response: HTTPResponse
        var failure: (any Error)?
        do {
            response = try handler()
        } catch {
            response = ProblemMapper.response(for: error, context: context.route)
            failure = error
        }
        let kept = response.status < 500 && response.status != 429
        do {
            try service.finish(database, tenant: tenant, caller: caller, key: key, response: kept ? Self.stored(response) : nil)
        } catch {
            // The work is done: answer it. The marker stays until it is taken as abandoned.
            logger.warn("cannot record an idempotent response", [("request_id", context.requestID), ("error", String(describing: error))])
        }
        // A 5xx goes to the outer problem step as thrown, which logs it.
        if let failure, response.status >= 500 { throw failure }
        return response
    }

    static func stored(_ response: HTTPResponse) -> StoredResponse {
        StoredResponse(status: response.status, contentType: response.headers["Content-Type"], location: response.headers["Location"],
                       etag: response.headers["ETag"], body: String(decoding: response.body, as: UTF8.self))
    }

    static func replay(_ stored: StoredResponse) -> HTTPResponse {
        var headers = HTTPHeaders()
        if let type = stored.contentType { headers.add("Content-Type", type) }
        if let location = stored.location { headers.add("Location", location) }
        if let etag = stored.etag { headers.add("ETag", etag) }
        headers.add("Idempotent-Replayed", "true")
        return HTTPResponse(status: stored.status, headers: headers, body: Array(stored.body.utf8))
    }
}
