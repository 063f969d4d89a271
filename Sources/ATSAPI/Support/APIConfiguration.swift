import ATSDomain
import ATSSupport
import ATSAuth

/// What the API needs to know from the configuration.
public struct APIConfiguration: Sendable {
    public var secretKey: [UInt8]
    public var tokenLifetimeSeconds: Int64
    public var defaultTenant: String
    /// When set, `Host: <slug>.<baseDomain>` names the tenant.
    public var baseDomain: String?
    /// Failed logins allowed in `loginWindowSeconds` (docs/security.md): per email from
    /// one client address (the hard limit), per client address over all emails, and per
    /// email over all addresses (against guessing spread over many addresses; large, so
    /// that one address cannot lock the account's owner out).
    public var loginFailuresPerEmail = 5
    public var loginFailuresPerAddress = 20
    public var loginFailuresPerEmailAllAddresses = 100
    public var loginWindowSeconds = 900
    /// Signups per client address per hour (`ATS_SIGNUP_RATE`), and per tenant per hour;
    /// `signupsPerAddressPerHour` 0 turns both off (test harnesses, benchmarks).
    public var signupsPerAddressPerHour = 20
    public var signupsPerTenantPerHour = 1000
    /// Whose `X-Forwarded-For` names the client for the per-address login limit.
    public var trustedProxies = TrustedProxies()
    /// `ATS_RESET_URL`: the page that takes a reset or invitation token, `{token}` where
    /// it goes; nil mails the token itself.
    public var resetURL: String?
    /// `ATS_RATE_LIMIT`: requests per minute per tenant and caller, per process; 0 turns
    /// the limit (and its `RateLimit-*` headers) off.
    public var rateLimitPerMinute = 1200
    /// `ATS_OPERATOR_TOKEN` (at least 32 bytes): the bearer token of the operator API;
    /// nil answers its routes with 404.
    public var operatorToken: String?

    public init(secretKey: [UInt8], tokenLifetimeSeconds: Int64 = 3600, defaultTenant: String = "default", baseDomain: String? = nil) {
        self.secretKey = secretKey
        self.tokenLifetimeSeconds = tokenLifetimeSeconds
        self.defaultTenant = defaultTenant
        self.baseDomain = baseDomain
    }
}
