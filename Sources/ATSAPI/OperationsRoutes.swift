import ATSHTTP

/// Routes for operators: no tenant, no auth, never touch the database.
enum OperationsRoutes {
    static let healthBody = Array(#"{"status":"ok"}"#.utf8)

    static func register(on router: inout Router, metrics: ServerMetrics) {
        router.get("/healthz", mode: .inline) { _, _ in
            .json(200, healthBody)
        }
        router.get("/metrics", mode: .inline) { _, _ in
            .text(200, metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
