import ATSAuth
import ATSDomain
import ATSHTTP
import ATSSupport

/// Resolves the request's tenant (404 when unknown) and puts it on the request's
/// access-log line, which error responses carry too.
struct TenantMiddleware: HTTPMiddleware {
    let tenants: TenantDirectory

    func handle(_ request: HTTPRequest, _ context: RequestContext, next: HTTPHandler) throws -> HTTPResponse {
        let tenant = try tenants.tenant(for: request)
        context.log.add("tenant", tenant.slug)
        var context = context
        context.values[TenantKey.self] = tenant
        return try next(request, context)
    }
}

/// Turns every error of the steps inside it into its problem+json response, and logs
/// each 500 at error level with the request id and the underlying error (errors never
/// carry secrets or bound values: see StorageError, SQLError).
struct ProblemMiddleware: HTTPMiddleware {
    let logger: Logger

    func handle(_ request: HTTPRequest, _ context: RequestContext, next: HTTPHandler) throws -> HTTPResponse {
        do {
            return try next(request, context)
        } catch {
            return ProblemMiddleware.respond(to: error, context: context, logger: logger)
        }
    }

    static func respond(to error: any Error, context: RequestContext, logger: Logger) -> HTTPResponse {
        let response = ProblemMapper.response(for: error, context: context)
        if response.status >= 500 && response.status != 503 {
            logger.error("request failed", [("request_id", context.requestID), ("route", context.route)] + context.log.fields
                         + [("error", String(describing: error))])
        }
        return response
    }
}

/// Verifies `Authorization: Bearer …` (signature, expiry, tenant) without touching the
/// database; an invalid token is 401, never silently anonymous.
struct AuthenticationMiddleware: HTTPMiddleware {
    let tokens: TokenSigner

    func handle(_ request: HTTPRequest, _ context: RequestContext, next: HTTPHandler) throws -> HTTPResponse {
        var context = context
        context.values[CredentialsKey.self] = credentials(request, tenant: context.values[TenantKey.self])
        return try next(request, context)
    }

    private func credentials(_ request: HTTPRequest, tenant: Tenant?) -> Credentials {
        guard let header = request.headers["Authorization"] else { return .anonymous }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .invalid(.unauthorized("Use Authorization: Bearer <token>.")) }
        guard let claims = try? tokens.verify(String(parts[1]).trimming(" "), now: Timestamp.now().unixSeconds) else {
            return .invalid(.unauthorized("The access token is invalid or expired."))
        }
        guard claims.tenantID == tenant?.id else { return .invalid(.unauthorized("The access token belongs to another tenant.")) }
        return .verified(claims)
    }
}
