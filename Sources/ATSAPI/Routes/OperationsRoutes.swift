import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Routes for operators: no tenant, no auth.
enum OperationsRoutes {
    static let healthBody = Array(#"{"status":"ok"}"#.utf8)

    static func register(on router: inout Router, metrics: ServerMetrics, readiness database: (any Database)?, dependencies: [ReadinessCheck]) {
        // Answered on the event loop: touches nothing.
        router.get("/healthz", mode: .inline) { _, _ in
            .json(200, healthBody)
        }
        // Rendered on a worker, never on the event loop: a large scrape must not stall
        // every connection of that loop (health checks included).
        router.get("/metrics", mode: .blocking) { _, _ in
            .text(200, metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        guard let database else { return }
        // 503 when the database does not answer (nothing works without it); a dependency
        // the requests do not need (Redis: the outbox keeps the messages) only turns the
        // status to "degraded", so a load balancer keeps sending traffic.
        router.get("/readyz") { _, _ in
            var fields: [(String, JSONValue)] = []
            var databaseUp = true
            do {
                try database.ping()
                fields.append(("database", .string("ok")))
            } catch {
                databaseUp = false
                fields.append(("database", .string("unavailable")))
            }
            var degraded = false
            for dependency in dependencies {
                let up = dependency.probe()
                degraded = degraded || !up
                fields.append((dependency.name, .string(up ? "ok" : "unavailable")))
            }
            let status = !databaseUp ? "unavailable" : degraded ? "degraded" : "ok"
            fields.insert(("status", .string(status)), at: 0)
            guard databaseUp else {
                var headers = HTTPHeaders()
                headers.add("Retry-After", "5")
                return .json(503, .object(fields), headers: headers)
            }
            return .json(200, .object(fields))
        }
    }
}

/// Something `/readyz` reports beside the database, e.g. Redis.
public struct ReadinessCheck: Sendable {
    public var name: String
    public var probe: @Sendable () -> Bool

    public init(name: String, probe: @escaping @Sendable () -> Bool) {
        self.name = name
        self.probe = probe
    }
}
