import ATSAPI
import ATSConfiguration
import ATSDomain
import ATSFeatures
import ATSSupport
import ATSHTTP
import ATSOutbox
import ATSRedis
import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// `ats worker`: the relay (outbox → Redis stream, while it holds the relay lock) and
/// `concurrency` consumers delivering from the stream, until SIGTERM/SIGINT.
enum WorkerCommand {
    static func run(_ config: Configuration, concurrency: Int) -> Int32 {
        let log = Logger(level: config.logLevel)
        if let problem = NotificationSetup.validate(config) {
            writeStandardError("ats: \(problem)\n")
            return 2
        }
        guard let redis = NotificationSetup.redisSettings(config) else {
            writeStandardError("ats: REDIS_URL: ats worker needs it (without Redis, ats serve delivers notifications itself)\n")
            return 2
        }
        _ = ats_block_signals()

        let opened: OpenedDatabase
        do {
            opened = try OpenedDatabase.open(config, poolSize: concurrency + 2)
            try StorageCommands.ensureSchema(opened, log: log)
        } catch {
            log.error("cannot use the database: \(error)")
            return 1
        }
        let name = "\(hostName())-\(getpid())"
        let warn: NotificationDelivery.Logger = { message, fields in log.warn(message, fields) }
        let delivery: NotificationDelivery
        do {
            delivery = try NotificationSetup.delivery(config, database: opened.database, secretKey: try SecretKey.resolve(config, log: log), log: log)
        } catch {
            log.error("\(error)")
            return 1
        }
        // A row queued this long ago and still undelivered is queued again: its entry
        // outlived two leases without anyone finishing it.
        let relay = OutboxRelay(database: opened.database, redis: redis, metrics: delivery.metrics,
                                requeueAfterSeconds: 2 * config.notifyLeaseSeconds + 10, owner: name, log: warn)
        let consumers = StreamWorker(redis: redis, delivery: delivery, name: name, concurrency: concurrency, log: warn)
        var server: HTTPServer?
        let queue = QueueProbe(redis: redis)
        let maintenance = MaintenanceScheduler(database: opened.database, holder: name, log: { message, fields in log.info(message, fields) })
        do {
            try queue.startRefreshing()
            try relay.start()
            try consumers.start()
            try maintenance.start()
            if let port = config.workerPort {
                server = try startMetricsServer(config, port: port, delivery: delivery, queue: queue, log: log)
            }
        } catch {
            log.error("\(error)")
            relay.stop()
            consumers.stop()
            maintenance.stop()
            queue.stop()
            return 1
        }
        log.info("worker started", [("consumer", name), ("concurrency", String(concurrency)), ("redis", "\(redis.host):\(redis.port)"),
                                    ("notifications", delivery.transportSummary), ("version", ATSVersion.string)])
        let signal = ats_wait_for_termination()
        log.info("shutting down", [("signal", signal == 15 ? "SIGTERM" : signal == 2 ? "SIGINT" : String(signal))])
        server?.shutdown()
        relay.stop()
        consumers.stop()
        maintenance.stop()
        queue.stop()
        log.info("stopped")
        return 0
    }

    /// /healthz and /metrics (deliveries, backlog, queue depth) for a container health
    /// check and Prometheus.
    private static func startMetricsServer(_ config: Configuration, port: Int, delivery: NotificationDelivery, queue: QueueProbe,
                                           log: Logger) throws -> HTTPServer {
        var settings = ServerConfiguration()
        settings.host = config.host
        settings.port = port
        settings.threads = 1
        settings.workers = 1
        settings.accessLog = false
        let metrics = ServerMetrics(shards: 1)
        metrics.addCollector { delivery.metrics.render() }
        metrics.addCollector { queue.render() }
        let server = HTTPServer(configuration: settings, router: APIRouter.make(metrics: metrics), metrics: metrics, errorResponder: APIRouter.errorResponder(logging: log))
        try server.start()
        return server
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "worker" }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "worker" : name
    }
}
