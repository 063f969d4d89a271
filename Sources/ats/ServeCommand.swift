import ATSAPI
import ATSAuth
import ATSCore
import ATSStorage
import ATSHTTP
import ATSNotify
import ATSQueue
import CLinux

/// `ats serve`: the HTTP API until SIGTERM/SIGINT.
enum ServeCommand {
    static func run(_ config: Configuration) -> Int32 {
        let log = Log(level: config.logLevel)
        guard MailAddress(parsing: config.mailFrom) != nil else {
            writeStandardError("ats: MAIL_FROM: expected 'Name <address@example.com>' or an address\n")
            return 2
        }
        if let url = config.smtpURL, SMTPSettings(url: url, caFile: config.smtpCAFile) == nil {
            writeStandardError("ats: SMTP_URL: expected smtp://[user:password@]host[:port] or smtps://… (value not shown)\n")
            return 2
        }
        // Block the termination signals before any thread starts, so every thread
        // inherits the mask and only `ats_wait_for_termination` receives them.
        _ = ats_block_signals()
        do {
            try Sodium.initialize()
        } catch {
            log.error("\(error)")
            return 1
        }
        let fileLimit = ProcessEnvironment.raiseFileLimit()
        if fileLimit >= 0 && fileLimit < config.maxConnections + 64 {
            log.warn("the open-file limit is below ATS_MAX_CONNECTIONS", [("limit", String(fileLimit)), ("max_connections", String(config.maxConnections))])
        }

        let opened: OpenedDatabase
        do {
            opened = try OpenedDatabase.open(config)
            try StorageCommands.ensureSchema(opened, log: log)
        } catch {
            log.error("cannot use the database: \(error)")
            return 1
        }
        log.info("database ready", [("dialect", opened.dialect.rawValue)])

        let api: API
        do {
            let key = try SecretKey.resolve(config, log: log)
            api = try API(database: opened.database, configuration: APIConfiguration(
                secretKey: key, tokenLifetimeSeconds: Int64(config.accessTokenMinutes) * 60,
                defaultTenant: config.defaultTenant, baseDomain: config.baseDomain))
            if try opened.database.read(tenant: nil, { try $0.tenants.find(slug: config.defaultTenant) }) == nil {
                log.warn("the default tenant does not exist; requests without a tenant will get 404", [("tenant", config.defaultTenant)])
            }
        } catch {
            log.error("\(error)")
            return 1
        }

        let metrics = ServerMetrics(shards: config.threads)
        let server = HTTPServer(configuration: serverConfiguration(config), router: APIRouter.make(api: api, metrics: metrics), metrics: metrics,
                                errorResponder: APIRouter.errorResponder)
        do {
            try server.start()
        } catch {
            log.error("cannot listen on \(config.host):\(config.port): \(error)")
            return 1
        }
        log.info("listening", [("address", "\(config.host):\(server.port)"), ("threads", String(config.threads)), ("version", ATSVersion.string)])
        let dispatcher: OutboxDispatcher
        do {
            dispatcher = try startDispatcher(config, database: opened.database, log: log)
            let deliveryMetrics = dispatcher.metrics
            metrics.addCollector { deliveryMetrics.render() }
        } catch {
            log.error("\(error)")
            server.shutdown()
            return 1
        }
        let signal = ats_wait_for_termination()
        log.info("shutting down", [("signal", signal == 15 ? "SIGTERM" : signal == 2 ? "SIGINT" : String(signal))])
        server.shutdown()
        dispatcher.stop()
        log.info("stopped")
        return 0
    }

    /// The embedded notification delivery: a thread that turns due outbox rows into mail.
    static func startDispatcher(_ config: Configuration, database: any Database, log: Log) throws -> OutboxDispatcher {
        guard let from = MailAddress(parsing: config.mailFrom) else {
            throw ConfigError("MAIL_FROM", "expected 'Name <address@example.com>' or an address")
        }
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "localhost"
        let transport: any MailTransport
        if let url = config.smtpURL, let settings = SMTPSettings(url: url, caFile: config.smtpCAFile) {
            transport = SMTPTransport(settings: settings, heloName: domain)
        } else {
            transport = try MailDirectoryTransport(directory: config.mailDirectory)
        }
        let dispatcher = OutboxDispatcher(database: database, transport: transport, from: from, domain: domain,
                                          maxAttempts: config.notifyMaxAttempts) { message, fields in log.warn(message, fields) }
        try dispatcher.start()
        log.info("notifications: " + transport.summary)
        return dispatcher
    }

    static func serverConfiguration(_ config: Configuration) -> ServerConfiguration {
        var server = ServerConfiguration()
        server.host = config.host
        server.port = config.port
        server.threads = config.threads
        server.workers = config.workers
        server.workerQueue = config.workerQueue
        server.limits.maxBody = config.maxBody
        server.maxConnections = config.maxConnections
        server.shutdownTimeout = config.shutdownTimeout
        server.headerTimeout = config.headerTimeout
        server.bodyTimeout = config.bodyTimeout
        server.idleTimeout = config.idleTimeout
        server.accessLog = config.logLevel == .debug || config.logLevel == .info
        return server
    }
}
