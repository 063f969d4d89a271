import ATSHTTP

/// The composition root of the HTTP API: every route the server answers.
public enum APIRouter {
    public static func make(metrics: ServerMetrics) -> Router {
        var router = Router()
        OperationsRoutes.register(on: &router, metrics: metrics)
        return router
    }

}
