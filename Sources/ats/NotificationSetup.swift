import ATSAuth
import ATSConfiguration
import ATSDomain
import ATSSupport
import ATSNet
import ATSNotify
import ATSOutbox
import ATSRedis
import ATSFeatures
import ATSPersistence

/// What `serve` and `worker` share about notifications: checking the settings before
/// anything starts, and building the delivery (SMTP or .eml files).
enum NotificationSetup {
    /// A one-line message naming the bad variable (values may hold passwords: never shown).
    static func validate(_ config: Configuration) -> String? {
        if MailAddress(parsing: config.mailFrom) == nil { return "MAIL_FROM: expected 'Name <address@example.com>' or an address" }
        if let url = config.smtpURL, SMTPSettings(url: url, caFile: config.smtpCAFile) == nil {
            return "SMTP_URL: expected smtp://[user:password@]host[:port] or smtps://… (value not shown)"
        }
        if let url = config.redisURL, RedisSettings(url: url) == nil {
            return "REDIS_URL: expected redis://[[user]:password@]host[:port][/db], db 0-15 (value not shown)"
        }
        return nil
    }

    static func redisSettings(_ config: Configuration) -> RedisSettings? {
        config.redisURL.flatMap(RedisSettings.init(url:))
    }

    /// `secretKey` (SECRET_KEY, as `SecretKey.resolve` found it) opens the sealed tokens
    /// of reset and invitation mail: `serve` and `worker` must pass the same key.
    static func delivery(_ config: Configuration, database: any Database, secretKey: [UInt8], log: Logger) throws -> NotificationDelivery {
        guard let from = MailAddress(parsing: config.mailFrom) else {
            throw ConfigError("MAIL_FROM", "expected 'Name <address@example.com>' or an address")
        }
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        let transport: any MailTransport
        if let url = config.smtpURL, var settings = SMTPSettings(url: url, caFile: config.smtpCAFile) {
            settings.requireTLS = config.smtpRequireTLS
            settings.deadline = SMTPSettings.deadline(forLease: config.notifyLeaseSeconds)
            settings.timeout = min(settings.timeout, settings.deadline)
            transport = SMTPTransport(settings: settings, heloName: domain)
        } else {
            transport = try MailDirectoryTransport(directory: config.mailDirectory)
        }
        let sealer = try SecretSealer(secretKey: secretKey)
        var client = HTTPClient.Settings()
        client.allowPrivate = config.webhookAllowPrivate
        client.caFile = config.webhookCAFile
        // A claim must outlast an attempt (10 s at most by API.md) with room to record it.
        client.totalTimeout = min(10, max(1, config.notifyLeaseSeconds - 1))
        let policy = WebhookPolicy(allowHTTP: config.webhookAllowHTTP, allowPrivate: config.webhookAllowPrivate)
        return NotificationDelivery(database: database, transport: transport, from: from, domain: domain, maxAttempts: config.notifyMaxAttempts,
                                    leaseSeconds: config.notifyLeaseSeconds, opener: { sealer.open($0) },
                                    webhooks: WebhookSender(client: HTTPClient(settings: client), policy: policy, open: { sealer.open($0) })) { message, fields in
            log.warn(message, fields)
        }
    }
}
