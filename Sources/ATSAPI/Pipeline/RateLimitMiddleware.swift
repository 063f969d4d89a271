import ATSDomain
import ATSHTTP
import ATSSupport

/// At most `limit` requests per minute per tenant and caller (API.md, Rate limits), in
/// this process's memory (N replicas allow N times as much: docs/security.md). Every
/// response of a limited route carries `RateLimit-Limit`, `RateLimit-Remaining` and
/// `RateLimit-Reset`; past the limit the answer is 429 with `Retry-After`, before any
/// work. With `limit` 0 it is not registered at all (no headers, no cost).
struct RateLimitMiddleware: HTTPMiddleware {
    let limiter: RateLimiter
    let limit: Int
    let trustedProxies: TrustedProxies
    let logger: Logger

    init(limit: Int, trustedProxies: TrustedProxies, logger: Logger) {
        self.limit = limit
        self.trustedProxies = trustedProxies
        self.logger = logger
        limiter = RateLimiter(windowSeconds: 60)
    }

    func handle(_ request: HTTPRequest, _ context: RequestContext, next: HTTPHandler) throws -> HTTPResponse {
        guard let tenant = context.values[TenantKey.self] else { return try next(request, context) }
        let caller = CallerIdentity.of(request, context, trustedProxies: trustedProxies)
        // An API key is only verified by the handler: a key that turns out not to exist is
        // charged to the client's address too (after the handler, and refused before it
        // once that budget is spent), so made-up keys cannot buy fresh budgets.
        var unverifiedKey: (credential: APIKeyCredential, addressKey: String)?
        if case .apiKey(let credential)? = context.values[CredentialsKey.self] {
            unverifiedKey = (credential, "\(tenant.id.rawValue) a:" + CallerIdentity.clientAddress(request, context, trustedProxies: trustedProxies))
        }
        var decision = limiter.consume("\(tenant.id.rawValue) \(caller)", limit: limit)
        if decision.allowed, let unverifiedKey, let refused = limiter.refusal(unverifiedKey.addressKey, limit: limit) { decision = refused }
        var response: HTTPResponse
        if decision.allowed {
            do {
                response = try next(request, context)
            } catch {
                // Mapped here (not by the outer problem step) so that errors carry the headers too.
                response = ProblemMiddleware.respond(to: error, context: context, logger: logger)
            }
            if let unverifiedKey, unverifiedKey.credential.keyID == nil { _ = limiter.consume(unverifiedKey.addressKey, limit: limit) }
        } else {
            var headers = HTTPHeaders()
            headers.add("Retry-After", String(decision.resetSeconds))
            response = HTTPError(429, "More than \(limit) requests in a minute; retry after \(decision.resetSeconds) seconds.",
                                 headers: headers).response
        }
        response.headers.add("RateLimit-Limit", String(limit))
        response.headers.add("RateLimit-Remaining", String(decision.remaining))
        response.headers.add("RateLimit-Reset", String(decision.resetSeconds))
        return response
    }
}
