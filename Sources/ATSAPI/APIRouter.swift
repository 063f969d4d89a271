import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// The composition root of the HTTP API: every route the server answers.
public enum APIRouter {
    /// The operations routes only (health, metrics): what the HTTP layer's tests use.
    public static func make(metrics: ServerMetrics) -> Router {
        var router = Router()
        OperationsRoutes.register(on: &router, metrics: metrics, readiness: nil, dependencies: [])
        return router
    }

    /// The whole API over `api`; `/readyz` also reports each of `dependencies`.
    public static func make(api: API, metrics: ServerMetrics, dependencies: [ReadinessCheck] = []) -> Router {
        var router = Router()
        OperationsRoutes.register(on: &router, metrics: metrics, readiness: api.database, dependencies: dependencies)
        OpenAPIRoutes.register(on: &router)
        api.registerOperator(on: &router)
        api.register(on: &router)
        return router
    }

    /// Every thrown error becomes its problem+json response here.
    public static let errorResponder: ErrorResponder = { error, context in ProblemMapper.response(for: error, context: context) }

    /// The same, logging each 500 with the request id and the underlying error: for the
    /// routes outside the tenant middleware (whose own errors `ProblemMiddleware` logs).
    public static func errorResponder(logging logger: Logger) -> ErrorResponder {
        { error, context in ProblemMiddleware.respond(to: error, context: context, logger: logger) }
    }
}
