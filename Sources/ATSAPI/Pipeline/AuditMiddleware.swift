import ATSFeatures
import ATSHTTP
import ATSSupport

/// Gives the services' audit entries their request id and client address: binds
/// `AuditContext.current` around the rest of the request (it runs on one thread, so the
/// task-local value reaches every unit of work the handler opens). The address is the
/// peer's, or behind a trusted proxy the client its `X-Forwarded-For` names.
struct AuditMiddleware: HTTPMiddleware {
    let trustedProxies: TrustedProxies

    func handle(_ request: HTTPRequest, _ context: RequestContext, next: HTTPHandler) throws -> HTTPResponse {
        let ip = context.peer.map { trustedProxies.clientAddress(peer: $0.ip, forwardedFor: request.head.headers.values("X-Forwarded-For")).description }
        return try AuditContext.$current.withValue(AuditContext(requestID: context.requestID, ip: ip)) {
            try next(request, context)
        }
    }
}
