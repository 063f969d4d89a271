import ATSAuth
import ATSDomain
import ATSFeatures
import ATSHTTP
import ATSPersistence
import ATSSupport

/// Resolves the request's tenant (404 when unknown), counts the request for the
/// operator's usage report, refuses a suspended tenant's requests (403), and puts the
/// tenant on the request's access-log line, which error responses carry too.
struct TenantMiddleware: HTTPMiddleware {
    let tenants: TenantDirectory
    let requests: TenantRequestCounter

    func handle(_ request: HTTPRequest, _ context: RequestContext, next: HTTPHandler) throws -> HTTPResponse {
        let tenant = try tenants.tenant(for: request)
        requests.count(tenant.id)
        context.log.add("tenant", tenant.slug)
        guard tenant.status == .active else {
            throw APIError.forbidden("This tenant is suspended by its hosting provider; its data is kept but no request is served until it is reactivated.")
        }
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
/// database; an invalid token is 401, never silently anonymous. A bearer that starts
/// with `ats_` is an API key: only its shape is checked here, its row is read in the
/// handler's unit of work, and after the handler its use is recorded (throttled).
struct AuthenticationMiddleware: HTTPMiddleware {
    let tokens: TokenSigner
    let database: any Database
    let keyUsage: APIKeyUsageRecorder
    let logger: Logger

    func handle(_ request: HTTPRequest, _ context: RequestContext, next: HTTPHandler) throws -> HTTPResponse {
        var context = context
        let credentials = credentials(request, tenant: context.values[TenantKey.self])
        context.values[CredentialsKey.self] = credentials
        guard case .apiKey(let key) = credentials, let tenant = context.values[TenantKey.self] else { return try next(request, context) }
        // Also when the handler failed (a 403 is still a use of the key); only a key
        // that authenticated has an id.
        defer { recordUse(key, tenant: tenant, requestID: context.requestID) }
        return try next(request, context)
    }

    private func recordUse(_ key: APIKeyCredential, tenant: Tenant, requestID: String) {
        guard let id = key.keyID else { return }
        do {
            try keyUsage.used(database, tenant: tenant.id, key: id)
        } catch {
            logger.warn("cannot record an API key's use", [("request_id", requestID), ("api_key_id", String(id)), ("error", String(describing: error))])
        }
    }

    private func credentials(_ request: HTTPRequest, tenant: Tenant?) -> Credentials {
        guard let header = request.headers["Authorization"] else { return .anonymous }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return .invalid(.unauthorized("Use Authorization: Bearer <token>.")) }
        let token = String(parts[1]).trimming(" ")
        if APIKeySecret.looksLikeKey(token) {
            guard let presented = APIKeySecret.parse(token) else { return .invalid(.unauthorized("The API key is invalid or revoked.")) }
            return .apiKey(APIKeyCredential(presented))
        }
        guard let claims = try? tokens.verify(token, now: Timestamp.now().unixSeconds) else {
            return .invalid(.unauthorized("The access token is invalid or expired."))
        }
        guard claims.tenantID == tenant?.id else { return .invalid(.unauthorized("The access token belongs to another tenant.")) }
        return .verified(claims)
    }
}
