import ATSAPI
import ATSAuth
import ATSConfiguration
import ATSDomain
import ATSSupport
import ATSFeatures
import ATSPersistence
import ATSHTTP
import ATSNotify
import ATSOutbox
import ATSRedis
import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// `ats serve`: the HTTP API until SIGTERM/SIGINT.
enum ServeCommand {
    static func run(_ config: Configuration) -> Int32 {
        let log = Logger(level: config.logLevel)
        if let problem = NotificationSetup.validate(config) {
            writeStandardError("ats: \(problem)\n")
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
        let key: [UInt8]
        do {
            key = try SecretKey.resolve(config, log: log)
            var settings = APIConfiguration(secretKey: key, tokenLifetimeSeconds: Int64(config.accessTokenMinutes) * 60,
                                            defaultTenant: config.defaultTenant, baseDomain: config.baseDomain)
            settings.trustedProxies = config.trustedProxies
            settings.signupsPerAddressPerHour = config.signupRate
            settings.resetURL = config.resetURL
            settings.rateLimitPerMinute = config.rateLimit
            settings.operatorToken = config.operatorToken
            api = try API(database: opened.database, configuration: settings, logger: log)
            if try opened.database.read(tenant: nil, { try $0.tenants.find(slug: config.defaultTenant) }) == nil {
                log.warn("the default tenant does not exist; requests without a tenant will get 404", [("tenant", config.defaultTenant)])
            }
        } catch {
            log.error("\(error)")
            return 1
        }

        let metrics = ServerMetrics(shards: config.threads)
        // With Redis, ats worker delivers; serve only reports on the queue.
        let queue = NotificationSetup.redisSettings(config).map { QueueProbe(redis: $0) }
        var dependencies: [ReadinessCheck] = []
        if let queue {
            do {
                try queue.startRefreshing()
            } catch {
                log.error("\(error)")
                return 1
            }
            dependencies.append(ReadinessCheck(name: "redis") { queue.isReachable() })
            metrics.addCollector { queue.render() }
        }
        let router = APIRouter.make(api: api, metrics: metrics, dependencies: dependencies)
        let server = HTTPServer(configuration: serverConfiguration(config), router: router, metrics: metrics,
                                errorResponder: APIRouter.errorResponder(logging: log))
        do {
            try server.start()
        } catch {
            log.error("cannot listen on \(PeerAddress.display(host: config.host, port: config.port)): \(error)")
            return 1
        }
        log.info("listening", [("address", PeerAddress.display(host: config.host, port: server.port)), ("threads", String(config.threads)), ("version", ATSVersion.string)])
        var dispatcher: OutboxDispatcher?
        if queue == nil {
            do {
                let delivery = try NotificationSetup.delivery(config, database: opened.database, secretKey: key, log: log)
                let started = OutboxDispatcher(database: opened.database, delivery: delivery) { message, fields in log.warn(message, fields) }
                try started.start()
                metrics.addCollector { delivery.metrics.render() }
                log.info("notifications: " + delivery.transportSummary)
                dispatcher = started
            } catch {
                log.error("\(error)")
                server.shutdown()
                return 1
            }
        } else {
            log.info("notifications: queued through Redis for ats worker (REDIS_URL is set)")
        }
        // Scheduled maintenance (the retention sweep) runs here unless ats worker does it.
        var maintenance: MaintenanceScheduler?
        if queue == nil {
            let scheduler = MaintenanceScheduler(database: opened.database, holder: "\(WorkerCommand.hostName())-\(getpid())",
                                                 log: { message, fields in log.info(message, fields) })
            do {
                try scheduler.start()
                maintenance = scheduler
            } catch {
                log.error("\(error)")
            }
        }
        let signal = ats_wait_for_termination()
        log.info("shutting down", [("signal", signal == 15 ? "SIGTERM" : signal == 2 ? "SIGINT" : String(signal))])
        server.shutdown()
        dispatcher?.stop()
        maintenance?.stop()
        queue?.stop()
        log.info("stopped")
        return 0
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
        server.bodyMinimumRate = Double(config.bodyMinRate)
        server.maxBufferedBodies = config.maxBufferedBodies
        server.idleTimeout = config.idleTimeout
        server.accessLog = config.logLevel == .debug || config.logLevel == .info
        return server
    }
}
