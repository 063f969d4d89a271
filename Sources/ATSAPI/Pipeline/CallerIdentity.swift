import ATSAuth
import ATSDomain
import ATSHTTP
import ATSSupport

/// Who a request comes from, for what is kept per caller (rate limits, idempotency
/// keys), known without the database: the user of a verified token, the prefix of a
/// presented API key (unique per tenant, never reused), else the client's address
/// (anonymous requests and invalid credentials, which fail later anyway).
enum CallerIdentity {
    static func of(_ request: HTTPRequest, _ context: RequestContext, trustedProxies: TrustedProxies) -> String {
        switch context.values[CredentialsKey.self] {
        case .verified(let claims)?: return "u:\(claims.userID.rawValue)"
        case .apiKey(let key)?: return "k:" + key.presented.prefix
        case .anonymous?, .invalid?, nil: return "a:" + clientAddress(request, context, trustedProxies: trustedProxies)
        }
    }

    /// The client's IP address: the peer, or when the peer is a trusted proxy, the client
    /// its `X-Forwarded-For` names.
    static func clientAddress(_ request: HTTPRequest, _ context: RequestContext, trustedProxies: TrustedProxies) -> String {
        guard let peer = context.peer?.ip else { return "unknown" }
        if trustedProxies.isEmpty { return peer.description }
        return trustedProxies.clientAddress(peer: peer, forwardedFor: request.head.headers.values("X-Forwarded-For")).description
    }
}
