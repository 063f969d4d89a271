import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSPersistence
#if canImport(Glibc)
import Glibc
#endif

/// The ATS HTTP API: its dependencies and the request-scoped steps every handler shares
/// (tenant, caller, roles). Handlers live in `Routes/`, one file per resource, and read
/// top to bottom: decode, authorize, validate, one transaction, encode.
public final class API: Sendable {
    let database: any Database
    let configuration: APIConfiguration
    let tenants: TenantDirectory
    let tokens: TokenSigner
    let passwords: PasswordHasher
    let loginLimiter: RateLimiter
    let signupLimiter = RateLimiter(windowSeconds: 3600)
    /// A real Argon2id hash of a random password: unknown emails are checked against it,
    /// so they cost the same time as wrong passwords.
    let dummyHash: String

    public init(database: any Database, configuration: APIConfiguration, passwords: PasswordHasher = .owaspMinimum) throws {
        self.database = database
        self.configuration = configuration
        self.passwords = passwords
        tenants = TenantDirectory(database: database, defaultSlug: configuration.defaultTenant, baseDomain: configuration.baseDomain)
        tokens = TokenSigner(key: configuration.secretKey)
        loginLimiter = RateLimiter(windowSeconds: configuration.loginWindowSeconds)
        dummyHash = try passwords.hash(try SecureRandom.password(length: 32))
    }

    static func now() -> Int64 { Timestamp.now().microseconds / 1_000_000 }

    /// The caller named by `Authorization: Bearer …`, or nil when there is none. A token
    /// that is invalid, expired, from another tenant, or whose user is gone or inactive
    /// is 401 — never silently anonymous. The role comes from the database, not the token.
    func caller(_ request: HTTPRequest, tenant: Tenant, _ work: any UnitOfWork) throws -> User? {
        guard let header = request.headers["Authorization"] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.unauthorized("Use Authorization: Bearer <token>.") }
        let claims = try tokens.verify(String(parts[1]).trimming(" "), now: API.now())
        guard claims.tenantID == tenant.id else { throw APIError.unauthorized("The access token belongs to another tenant.") }
        guard let user = try work.users.find(tenant.id, id: claims.userID), user.isActive else {
            throw APIError.unauthorized("The account is inactive or no longer exists.")
        }
        return user
    }

    /// The caller, who must be signed in and hold one of `roles`.
    func requireCaller(_ request: HTTPRequest, tenant: Tenant, _ work: any UnitOfWork, roles: Set<Role>) throws -> User {
        guard let user = try caller(request, tenant: tenant, work) else { throw APIError.unauthorized("Sign in first.") }
        guard roles.contains(user.role) else { throw APIError.forbidden("Your role may not do this.") }
        return user
    }

    /// The client's IP address for per-client limits: the peer, or when the peer is a
    /// trusted proxy, the client its `X-Forwarded-For` names.
    func clientAddress(_ request: HTTPRequest, _ context: RequestContext) -> String {
        guard let peer = context.peer?.ip else { return "unknown" }
        return configuration.trustedProxies.clientAddress(peer: peer, forwardedFor: request.head.headers.values("X-Forwarded-For")).description
    }

    /// Adds the tenant to the access-log line.
    static func logged(_ response: HTTPResponse, _ tenant: Tenant) -> HTTPResponse {
        var response = response
        response.logFields.append(("tenant", tenant.slug))
        return response
    }

    static let staff: Set<Role> = [.recruiter, .admin]
}
