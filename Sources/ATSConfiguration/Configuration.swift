import ATSDomain
import ATSSupport
/// The settings of `ats`, read from the environment and then a `.env` file in the
/// working directory (the environment wins). Parsing is pure: the caller supplies both
/// maps, so tests need neither files nor a process environment.
public struct Configuration: Sendable, Equatable {
    public typealias LogLevel = ATSSupport.LogLevel

    public var host = "127.0.0.1"
    public var port = 8000
    /// Event-loop threads; by default one per core.
    public var threads: Int
    /// Threads that run handlers which may block (database work); by default two per
    /// core (measured: 16 on 2 cores halved throughput through context switches).
    public var workers: Int
    /// Requests that may wait for a worker before the server answers 503.
    public var workerQueue = 1024
    public var maxBody = 1 << 20
    public var maxConnections = 10_000
    public var shutdownTimeout = 10.0
    public var headerTimeout = 10.0
    public var bodyTimeout = 30.0
    /// Bytes per second a body must average after its first `bodyTimeout` seconds; 0: none.
    public var bodyMinRate = 1024
    /// Request body bytes all connections together may hold before 503.
    public var maxBufferedBodies = 64 << 20
    public var idleTimeout = 60.0
    public var logLevel = LogLevel.info
    /// `sqlite:///./dev.db` (the default) or `postgres://user:password@host:port/db`.
    public var databaseURL = "sqlite:///./dev.db"
    /// What `ats migrate` connects as (the owner of the tables); DATABASE_URL if unset.
    public var databaseOwnerURL: String?
    /// Database connections; by default as many as workers, so a worker never waits.
    public var databasePool: Int
    public var statementTimeoutMilliseconds = 5000
    /// The PostgreSQL role `ats serve` connects as; `ats migrate up` grants it access.
    public var databaseAppRole = "ats_app"

    /// HMAC key for access tokens; at least 32 bytes. Nil: generated on SQLite, refused
    /// on PostgreSQL (see `ats serve`).
    public var secretKey: String?
    public var accessTokenMinutes = 60
    public var defaultTenant = "default"
    public var baseDomain: String?
    /// Signups per client address per hour (`ATS_SIGNUP_RATE`); 0 turns signup limits off.
    public var signupRate = 20
    /// Proxies whose `X-Forwarded-For` names the client (`ATS_TRUSTED_PROXIES`).
    public var trustedProxies = TrustedProxies()
    /// `ATS_RESET_URL`: an http(s) URL with `{token}` where a reset or invitation token
    /// goes (`https://app.example.com/reset?token={token}`); nil mails the token itself.
    public var resetURL: String?
    /// `ATS_RATE_LIMIT`: requests per minute per tenant and caller, per process; 0: off.
    public var rateLimit = 1200
    /// `ATS_OPERATOR_TOKEN`: the operator API's bearer token (at least 32 bytes); nil: the
    /// operator routes answer 404.
    public var operatorToken: String?

    /// `Name <address>` or `address` of outgoing mail.
    public var mailFrom = "ATS <no-reply@ats.localhost>"
    /// Where the embedded mail transport writes `.eml` files.
    public var mailDirectory = "./mail"
    public var notifyMaxAttempts = 8
    /// `smtp://[user:password@]host[:port]` or `smtps://…`; nil: `.eml` files in `mailDirectory`.
    public var smtpURL: String?
    /// CA bundle for the SMTP server's certificate instead of the system's.
    public var smtpCAFile: String?
    /// Never send mail over an SMTP connection without TLS (`SMTP_REQUIRE_TLS`).
    public var smtpRequireTLS = false
    /// `redis://[[user]:password@]host[:port][/db]`: with it, `ats worker` delivers
    /// notifications through a Redis stream and `ats serve` does not deliver itself.
    public var redisURL: String?
    /// Seconds a delivery's claim on an outbox row holds (it must outlast a slow SMTP
    /// exchange); a delivery that died is retried after it.
    public var notifyLeaseSeconds = 120.0
    /// Port for `ats worker`'s /healthz and /metrics; nil: no listener.
    public var workerPort: Int?

    public var isPostgres: Bool { databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") }

    /// Every variable this version reads, with a one-line description (for `--help`).
    public static let variables: [(name: String, help: String)] = [
        ("ATS_HOST", "address to listen on (default 127.0.0.1)"),
        ("ATS_PORT", "TCP port, 0-65535; 0 picks a free one (default 8000)"),
        ("ATS_THREADS", "event-loop threads (default: the number of cores)"),
        ("ATS_WORKERS", "threads for handlers that may block (default: 2 per core)"),
        ("ATS_WORKER_QUEUE", "requests that may wait for a worker before 503 (default 1024)"),
        ("ATS_MAX_BODY", "largest request body in bytes (default 1048576)"),
        ("ATS_MAX_CONNECTIONS", "open connections before new ones are refused (default 10000)"),
        ("ATS_SHUTDOWN_TIMEOUT", "seconds to finish in-flight requests on SIGTERM (default 10)"),
        ("ATS_HEADER_TIMEOUT", "seconds a client has to send a request head (default 10)"),
        ("ATS_BODY_TIMEOUT", "seconds a request body may stall (default 30)"),
        ("ATS_BODY_MIN_RATE", "bytes per second a request body must average after its first ATS_BODY_TIMEOUT seconds; 0: no minimum (default 1024)"),
        ("ATS_MAX_BUFFERED_BODIES", "request body bytes all connections together may hold; past it 503 (default 67108864, at least ATS_MAX_BODY)"),
        ("ATS_IDLE_TIMEOUT", "seconds an idle keep-alive connection is kept (default 60)"),
        ("LOG_LEVEL", "debug | info | warn | error; warn and error silence the access log (default info)"),
        ("DATABASE_URL", "sqlite:///./dev.db (default) or postgres://USER:PASSWORD@HOST:PORT/DB"),
        ("DATABASE_OWNER_URL", "PostgreSQL URL of the table owner, for ats migrate (default: DATABASE_URL)"),
        ("ATS_DB_POOL", "database connections (default: ATS_WORKERS)"),
        ("ATS_DB_STATEMENT_TIMEOUT", "milliseconds a statement may run (default 5000)"),
        ("ATS_DB_APP_ROLE", "PostgreSQL role that ats serve uses; ats migrate up grants it (default ats_app)"),
        ("SECRET_KEY", "token signing key, at least 32 random bytes, e.g. openssl rand -hex 32; placeholders refused (SQLite: generated into DB.secret when unset)"),
        ("ALGORITHM", "token algorithm; only HS256 (default HS256)"),
        ("ACCESS_TOKEN_EXPIRE_MINUTES", "token lifetime in minutes (default 60)"),
        ("ATS_DEFAULT_TENANT", "tenant slug for requests without X-Tenant or a tenant Host (default default)"),
        ("ATS_BASE_DOMAIN", "with it, Host <slug>.<ATS_BASE_DOMAIN> names the tenant"),
        ("ATS_SIGNUP_RATE", "signups per client address per hour, and at most 1000 per tenant per hour; 0 turns both off (default 20)"),
        ("ATS_TRUSTED_PROXIES", "addresses/CIDRs of reverse proxies whose X-Forwarded-For names the client (default: none)"),
        ("ATS_RESET_URL", "password reset and invitation link, http(s) with {token}, e.g. https://app.example.com/reset?token={token} (default: the mail carries the token)"),
        ("ATS_RATE_LIMIT", "requests per minute per tenant and caller (user, API key, or client address), counted per process; 0 turns it off (default 1200)"),
        ("ATS_OPERATOR_TOKEN", "bearer token of the operator API (/api/operator/...), at least 32 bytes; unset: those routes are 404"),
        ("MAIL_FROM", "sender of notifications, 'Name <address>' (default ATS <no-reply@ats.localhost>)"),
        ("ATS_MAIL_DIR", "where notifications are written as .eml files (default ./mail)"),
        ("ATS_NOTIFY_MAX_ATTEMPTS", "delivery attempts before a notification is dead (default 8)"),
        ("SMTP_URL", "smtp://[user:pass@]host[:port] (STARTTLS when offered) or smtps://…; unset: .eml files in ATS_MAIL_DIR"),
        ("SMTP_CA_FILE", "CA bundle to verify the SMTP server with instead of the system's"),
        ("SMTP_REQUIRE_TLS", "1: refuse to send mail when the smtp:// server does not offer STARTTLS (a delivery error, retried); 0: send in the clear then (default 0)"),
        ("REDIS_URL", "redis://[:password@]host[:port][/db]: queue notifications in Redis for ats worker; unset: ats serve delivers them"),
        ("ATS_NOTIFY_LEASE", "seconds a delivery holds its claim on a notification; a worker that died is retried after it (default 120)"),
        ("ATS_WORKER_PORT", "port on ATS_HOST where ats worker answers /healthz and /metrics (default: none)"),
    ]

    public init(cores: Int) {
        threads = max(1, cores)
        workers = 2 * max(1, cores)
        databasePool = workers
    }

    /// Reads `environment`, falling back to `dotEnv` for variables the environment lacks.
    public static func load(environment: [String: String], dotEnv: [String: String] = [:], cores: Int) throws(ConfigError) -> Configuration {
        let source = dotEnv.merging(environment) { _, fromEnvironment in fromEnvironment }
        var config = Configuration(cores: cores)
        if let host = source["ATS_HOST"] {
            guard !host.isEmpty, host.utf8.count <= 255, !host.contains(where: { $0.isWhitespace }) else {
                throw ConfigError("ATS_HOST", "expected an address such as 127.0.0.1 or 0.0.0.0, got '\(host)'")
            }
            config.host = host
        }
        config.port = try integer(source, "ATS_PORT", default: config.port, in: 0...65535)
        config.threads = try integer(source, "ATS_THREADS", default: config.threads, in: 1...256)
        config.workers = try integer(source, "ATS_WORKERS", default: config.workers, in: 1...1024)
        config.workerQueue = try integer(source, "ATS_WORKER_QUEUE", default: config.workerQueue, in: 1...1_000_000)
        config.maxBody = try integer(source, "ATS_MAX_BODY", default: config.maxBody, in: 1...(1 << 30))
        config.maxConnections = try integer(source, "ATS_MAX_CONNECTIONS", default: config.maxConnections, in: 1...1_000_000)
        config.shutdownTimeout = try seconds(source, "ATS_SHUTDOWN_TIMEOUT", default: config.shutdownTimeout)
        config.headerTimeout = try seconds(source, "ATS_HEADER_TIMEOUT", default: config.headerTimeout)
        config.bodyTimeout = try seconds(source, "ATS_BODY_TIMEOUT", default: config.bodyTimeout)
        config.idleTimeout = try seconds(source, "ATS_IDLE_TIMEOUT", default: config.idleTimeout)
        config.bodyMinRate = try integer(source, "ATS_BODY_MIN_RATE", default: config.bodyMinRate, in: 0...(1 << 30))
        config.maxBufferedBodies = try integer(source, "ATS_MAX_BUFFERED_BODIES", default: max(config.maxBufferedBodies, config.maxBody), in: 1...(1 << 40))
        guard config.maxBufferedBodies >= config.maxBody else {
            throw ConfigError("ATS_MAX_BUFFERED_BODIES", "must be at least ATS_MAX_BODY (\(config.maxBody)), got '\(config.maxBufferedBodies)'")
        }
        if let url = source["DATABASE_URL"] { config.databaseURL = try databaseURL(url, "DATABASE_URL") }
        if let url = source["DATABASE_OWNER_URL"] { config.databaseOwnerURL = try databaseURL(url, "DATABASE_OWNER_URL") }
        if config.databaseOwnerURL != nil && !config.isPostgres {
            throw ConfigError("DATABASE_OWNER_URL", "only applies when DATABASE_URL is a postgres:// URL")
        }
        config.databasePool = try integer(source, "ATS_DB_POOL", default: config.workers, in: 1...1000)
        config.statementTimeoutMilliseconds = try integer(source, "ATS_DB_STATEMENT_TIMEOUT", default: config.statementTimeoutMilliseconds, in: 1...3_600_000)
        if let role = source["ATS_DB_APP_ROLE"] {
            guard !role.isEmpty, role.utf8.count <= 63 else { throw ConfigError("ATS_DB_APP_ROLE", "expected a PostgreSQL role name of 1 to 63 bytes") }
            config.databaseAppRole = role
        }
        if let key = source["SECRET_KEY"] {
            if let problem = secretKeyProblem(key) { throw ConfigError("SECRET_KEY", problem + " (value not shown)") }
            config.secretKey = key
        }
        if let algorithm = source["ALGORITHM"], algorithm != "HS256" {
            throw ConfigError("ALGORITHM", "only HS256 is supported, got '\(algorithm.prefix(20))'")
        }
        config.accessTokenMinutes = try integer(source, "ACCESS_TOKEN_EXPIRE_MINUTES", default: config.accessTokenMinutes, in: 1...(60 * 24 * 30))
        if let tenant = source["ATS_DEFAULT_TENANT"] {
            guard Tenant.isValidSlug(tenant) else { throw ConfigError("ATS_DEFAULT_TENANT", "'\(tenant)' is not a tenant slug ([a-z0-9][a-z0-9-]{1,62})") }
            config.defaultTenant = tenant
        }
        if let domain = source["ATS_BASE_DOMAIN"]?.lowercased(), !domain.isEmpty {
            guard domain.utf8.count <= 253, domain.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 }),
                  !domain.hasPrefix("."), !domain.hasSuffix(".") else {
                throw ConfigError("ATS_BASE_DOMAIN", "expected a domain such as ats.example.com, got '\(domain.prefix(60))'")
            }
            config.baseDomain = domain
        }
        if let url = source["ATS_RESET_URL"], !url.isEmpty {
            if let problem = resetURLProblem(url) { throw ConfigError("ATS_RESET_URL", problem) }
            config.resetURL = url
        }
        if let from = source["MAIL_FROM"] {
            guard !from.isEmpty, from.utf8.count <= 320, !from.contains("\r"), !from.contains("\n") else {
                throw ConfigError("MAIL_FROM", "expected 'Name <address@example.com>' or an address")
            }
            config.mailFrom = from
        }
        if let dir = source["ATS_MAIL_DIR"] {
            guard !dir.isEmpty else { throw ConfigError("ATS_MAIL_DIR", "must not be empty") }
            config.mailDirectory = dir
        }
        config.notifyMaxAttempts = try integer(source, "ATS_NOTIFY_MAX_ATTEMPTS", default: config.notifyMaxAttempts, in: 1...100)
        if let url = source["SMTP_URL"], !url.isEmpty {
            guard url.hasPrefix("smtp://") || url.hasPrefix("smtps://") else {
                throw ConfigError("SMTP_URL", "expected smtp://[user:password@]host[:port] or smtps://… (value not shown)")
            }
            config.smtpURL = url
        }
        if let file = source["SMTP_CA_FILE"], !file.isEmpty { config.smtpCAFile = file }
        config.smtpRequireTLS = try flag(source, "SMTP_REQUIRE_TLS", default: config.smtpRequireTLS)
        config.signupRate = try integer(source, "ATS_SIGNUP_RATE", default: config.signupRate, in: 0...1_000_000)
        config.rateLimit = try integer(source, "ATS_RATE_LIMIT", default: config.rateLimit, in: 0...1_000_000_000)
        if let token = source["ATS_OPERATOR_TOKEN"], !token.isEmpty {
            guard token.utf8.count >= 32, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw ConfigError("ATS_OPERATOR_TOKEN", "must be at least 32 visible ASCII characters, e.g. openssl rand -hex 32 (value not shown)")
            }
            config.operatorToken = token
        }
        if let list = source["ATS_TRUSTED_PROXIES"] {
            guard let proxies = TrustedProxies(list) else {
                throw ConfigError("ATS_TRUSTED_PROXIES", "expected addresses or CIDR networks separated by commas, e.g. 10.0.0.0/8,127.0.0.1, got '\(list)'")
            }
            config.trustedProxies = proxies
        }
        if let url = source["REDIS_URL"], !url.isEmpty {
            guard url.hasPrefix("redis://") else { throw ConfigError("REDIS_URL", "expected redis://[:password@]host[:port][/db] (value not shown)") }
            config.redisURL = url
        }
        config.notifyLeaseSeconds = try seconds(source, "ATS_NOTIFY_LEASE", default: config.notifyLeaseSeconds)
        if source["ATS_WORKER_PORT"] != nil {
            config.workerPort = try integer(source, "ATS_WORKER_PORT", default: 0, in: 0...65535)
        }
        if let level = source["LOG_LEVEL"] {
            guard let parsed = LogLevel(rawValue: level.lowercased()) else {
                throw ConfigError("LOG_LEVEL", "expected one of debug, info, warn, error, got '\(level)'")
            }
            config.logLevel = parsed
        }
        return config
    }

    /// Why `key` must not sign tokens, or nil when it may: shorter than 32 bytes, the
    /// `change-me` placeholder of `.env.example` (any case), or low entropy (fewer than 8
    /// distinct bytes, or a pattern of at most half its length repeated). 8, not more: a
    /// 32-character `openssl rand -hex 16` key has 14 distinct bytes on average and often
    /// fewer than 16. The text never includes the key.
    /// Why `url` cannot be ATS_RESET_URL, or nil: an absolute http(s) URL of visible
    /// ASCII holding `{token}` (the token is base64url, so it needs no escaping there).
    public static func resetURLProblem(_ url: String) -> String? {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return "expected an http(s) URL such as https://app.example.com/reset?token={token}" }
        guard url.utf8.count <= 2000, url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return "expected a URL of at most 2000 visible ASCII characters" }
        guard url.contains("{token}") else { return "must contain {token} where the token goes" }
        return nil
    }

    public static func secretKeyProblem(_ key: String) -> String? {
        let bytes = Array(key.utf8)
        let advice = "; generate one with: openssl rand -hex 32"
        guard bytes.count >= 32 else { return "must be at least 32 bytes long" + advice }
        let folded = key.lowercased()
        if ["change-me", "changeme", "change_me"].contains(where: folded.contains) {
            return "is still the placeholder from the example file" + advice
        }
        if Set(bytes).count < 8 || shortestPeriod(bytes) <= bytes.count / 2 {
            return "is too predictable (few distinct bytes or a repeated pattern)" + advice
        }
        return nil
    }

    /// The smallest p such that `bytes[i] == bytes[i - p]` for every i ≥ p (KMP's
    /// failure function, O(n)).
    static func shortestPeriod(_ bytes: [UInt8]) -> Int {
        guard !bytes.isEmpty else { return 0 }
        var border = [Int](repeating: 0, count: bytes.count)
        var k = 0
        for i in 1..<bytes.count {
            while k > 0 && bytes[i] != bytes[k] { k = border[k - 1] }
            if bytes[i] == bytes[k] { k += 1 }
            border[i] = k
        }
        return bytes.count - border[bytes.count - 1]
    }

    /// Checks the scheme only, and never echoes the value: it may hold a password.
    private static func databaseURL(_ url: String, _ name: String) throws(ConfigError) -> String {
        if url.hasPrefix("sqlite:///"), url.utf8.count > "sqlite:///".utf8.count { return url }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return url }
        throw ConfigError(name, "expected sqlite:///PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE (value not shown)")
    }

    private static func integer(_ source: [String: String], _ name: String, default value: Int, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let text = source[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigError(name, "expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    private static func flag(_ source: [String: String], _ name: String, default value: Bool) throws(ConfigError) -> Bool {
        guard let text = source[name], !text.isEmpty else { return value }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(name, "expected 1 or 0 (true or false), got '\(text)'")
        }
    }

    private static func seconds(_ source: [String: String], _ name: String, default value: Double) throws(ConfigError) -> Double {
        guard let text = source[name] else { return value }
        guard let number = Double(text), number.isFinite, number > 0, number <= 86_400 else {
            throw ConfigError(name, "expected a number of seconds above 0 and at most 86400, got '\(text)'")
        }
        return number
    }
}
