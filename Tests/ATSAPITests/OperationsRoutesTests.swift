import ATSAPI
import ATSHTTP
import Testing

@Suite("Operations routes")
struct OperationsRoutesTests {
    private func call(_ router: Router, _ path: String) throws -> HTTPResponse {
        guard case .found(let route, let parameters) = router.match(method: "GET", path: path[...]) else {
            throw HTTPError(404, "no route")
        }
        // /healthz answers on the loop (never waits for the pool); /metrics renders on a
        // worker (a large scrape must never stall the loop).
        #expect(route.mode == (path == "/metrics" ? .blocking : .inline))
        let request = HTTPRequest(head: HTTPRequestHead(method: "GET", target: path, version: .http1_1, headers: HTTPHeaders()))
        return try route.handler(request, RequestContext(requestID: "t", route: route.template, parameters: parameters))
    }

    @Test func healthzSaysOK() throws {
        let response = try call(APIRouter.make(metrics: ServerMetrics(shards: 1)), "/healthz")
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"status":"ok"}"#)
        #expect(response.headers["Content-Type"] == "application/json")
    }

    @Test func metricsIsPrometheusText() throws {
        let response = try call(APIRouter.make(metrics: ServerMetrics(shards: 1)), "/metrics")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(response.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        for name in ["http_requests_total", "http_request_duration_seconds", "http_connections_open", "http_connections_rejected_total"] {
            #expect(text.contains("# TYPE \(name)"))
        }
    }
}
