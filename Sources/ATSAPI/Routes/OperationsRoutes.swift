import ATSCore
import ATSHTTP
import ATSStorage

/// Routes for operators: no tenant, no auth.
enum OperationsRoutes {
    static let healthBody = Array(#"{"status":"ok"}"#.utf8)

    static func register(on router: inout Router, metrics: ServerMetrics, readiness database: (any Database)?) {
        // Answered on the event loop: touches nothing.
        router.get("/healthz", mode: .inline) { _, _ in
            .json(200, healthBody)
        }
        router.get("/metrics", mode: .inline) { _, _ in
            .text(200, metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        guard let database else { return }
        // 200 when the database answers now; 503 naming what failed otherwise.
        router.get("/readyz") { _, _ in
            do {
                try database.ping()
                return .json(200, .object([("status", .string("ok")), ("database", .string("ok"))]))
            } catch {
                var headers = HTTPHeaders()
                headers.add("Retry-After", "5")
                return .json(503, .object([("status", .string("unavailable")), ("database", .string("unavailable"))]), headers: headers)
            }
        }
    }
}
