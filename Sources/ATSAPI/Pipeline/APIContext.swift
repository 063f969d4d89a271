import ATSAuth
import ATSDomain
import ATSFeatures
import ATSHTTP
import ATSSupport
import Synchronization

/// Everything a handler knows about its request besides the request: built once per
/// request from what the middleware resolved (tenant, verified token), then handed to
/// the handler. The caller's user row is loaded inside the handler's own unit of work,
/// so authentication costs no transaction of its own.
struct APIContext {
    let requestID: String
    let route: RequestContext
    let tenant: Tenant
    let credentials: Credentials

    init(_ context: RequestContext) throws {
        guard let tenant = context.values[TenantKey.self] else { throw APIError.notFound("No such tenant.") }
        self.requestID = context.requestID
        self.route = context
        self.tenant = tenant
        self.credentials = context.values[CredentialsKey.self] ?? .anonymous
    }

    /// The signed-in user, or nil when anonymous. A token whose user is gone or inactive,
    /// or of another session epoch (issued before a password change, reset or logout), is
    /// 401, never silently anonymous. The role comes from the database, not the token.
    /// An API key is looked up here too (one statement in this unit of work): it is its
    /// creator with the key's role and id, or 401.
    func caller(in work: UnitOfWork) throws -> User? {
        let credentials: TokenClaims
        switch self.credentials {
        case .anonymous: return nil
        case .invalid(let error): throw error
        case .verified(let claims): credentials = claims
        case .apiKey(let key):
            guard let user = try APIKeyService().authenticate(work, tenant: tenant.id, key.presented) else {
                throw APIError.unauthorized("The API key is invalid or revoked.")
            }
            key.resolved(as: user.apiKeyID)
            return user
        }
        guard let user = try work.users.find(tenant.id, id: credentials.userID), user.isActive else {
            throw APIError.unauthorized("The account is inactive or no longer exists.")
        }
        guard credentials.sessionEpoch == user.sessionEpoch else { throw APIError.unauthorized("The session has ended; sign in again.") }
        return user
    }

    /// The signed-in user; 401 when anonymous.
    func requireCaller(in work: UnitOfWork) throws -> User {
        guard let user = try caller(in: work) else { throw APIError.unauthorized("Sign in first.") }
        return user
    }

    /// A `{name}` path id; 404 when it is not one.
    func pathID(_ name: String) throws -> Int64 { try PathID.from(route, name) }
}

enum TenantKey: RequestValueKey { typealias Value = Tenant }
enum CredentialsKey: RequestValueKey { typealias Value = Credentials }

/// What the request's `Authorization` header proved. An invalid token fails the request
/// only where the handler asks who the caller is (as an absent one would be anonymous).
enum Credentials: Sendable {
    case anonymous
    case verified(TokenClaims)
    case invalid(APIError)
    /// A well-formed `ats_…` key, not yet looked up (`caller(in:)` does that).
    case apiKey(APIKeyCredential)
}

/// A presented API key: its prefix and hash, parsed without the database, and the key
/// id it turned out to be (for `last_used_at`, recorded after the handler).
final class APIKeyCredential: Sendable {
    let presented: APIKeySecret.Presented
    private let resolvedID = Mutex<Int64?>(nil)

    init(_ presented: APIKeySecret.Presented) { self.presented = presented }

    func resolved(as id: Int64?) { resolvedID.withLock { $0 = id } }
    var keyID: Int64? { resolvedID.withLock { $0 } }
}

/// Who may call a route at all, checked before its body is read: a protected route
/// answers 401 to a missing or invalid token before any validation (so an anonymous
/// client learns nothing about the body's rules, and no work is spent on it).
enum RouteAccess {
    case anyone
    case signedIn
}

extension Router {
    /// Registers a handler that reads decode → service → encode: the tenant, credentials
    /// and problem mapping come from the middleware; the context is built once here.
    /// A POST with `Idempotency-Key` runs under the key unless the route is `.ignored`
    /// (its answer holds a token or a secret: `IdempotencyPolicy`).
    mutating func add(_ method: String, _ template: String, _ access: RouteAccess = .signedIn, idempotency: IdempotencyPolicy = .honored,
                      api handler: @escaping @Sendable (HTTPRequest, APIContext) throws -> HTTPResponse) {
        add(method, template) { request, context in
            let context = try APIContext(context)
            if access == .signedIn {
                switch context.credentials {
                case .anonymous: throw APIError.unauthorized("Sign in first.")
                case .invalid(let error): throw error
                case .verified, .apiKey: break
                }
            }
            if idempotency == .honored, let idempotent = context.route.values[IdempotentRequestKey.self] {
                return try idempotent.guardian.run(idempotent.key, request, context) { try handler(request, context) }
            }
            return try handler(request, context)
        }
    }
}
