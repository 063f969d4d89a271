@testable import ATSHTTP
import ATSTestSupport
import Testing

@Suite("Router")
struct RouterTests {
    let router: Router = {
        var router = Router()
        router.get("/api/jobs") { _, _ in HTTPResponse() }
        router.post("/api/jobs") { _, _ in HTTPResponse() }
        router.get("/api/jobs/{id}") { _, _ in HTTPResponse() }
        router.add("PATCH", "/api/applications/{id}/stage") { _, _ in HTTPResponse() }
        router.get("/") { _, _ in HTTPResponse() }
        return router
    }()

    private func template(_ method: String, _ path: String) -> String? {
        if case .found(let route, _) = router.match(method: method, path: path[...]) { return route.template }
        return nil
    }

    @Test("routes of one method whose templates match the same paths are reported")
    func conflictsAreFound() {
        #expect(router.conflicts.isEmpty)
        var clashing = router
        clashing.get("/api/jobs/{job_id}") { _, _ in HTTPResponse() }
        clashing.post("/api/jobs/{job_id}") { _, _ in HTTPResponse() }
        #expect(clashing.conflicts.map { "\($0.0) ~ \($0.1)" } == ["GET /api/jobs/{id} ~ GET /api/jobs/{job_id}"])
    }

    @Test func trailingSlashIsTheSamePath() {
        #expect(template("GET", "/api/jobs") == "/api/jobs")
        #expect(template("GET", "/api/jobs/") == "/api/jobs")
        #expect(template("GET", "/") == "/")
    }

    @Test func parametersBindAndDecode() {
        guard case .found(_, let parameters) = router.match(method: "GET", path: "/api/jobs/a%2Fb") else {
            Issue.record("no match")
            return
        }
        #expect(parameters["id"] == "a/b")
    }

    @Test func emptyOrExtraSegmentsDoNotMatch() {
        #expect(template("GET", "/api/jobs//") == nil)
        #expect(template("GET", "/api//jobs") == nil)
        #expect(template("GET", "/api/jobs/1/x") == nil)
        #expect(template("PATCH", "/api/applications//stage") == nil)
    }

    @Test func methodNotAllowedListsAllowedMethods() {
        guard case .methodNotAllowed(let allow) = router.match(method: "DELETE", path: "/api/jobs") else {
            Issue.record("expected 405")
            return
        }
        #expect(allow == ["GET", "POST", "HEAD"])
        #expect(template("HEAD", "/api/jobs/3") == "/api/jobs/{id}")
    }
}

@Suite("Server metrics")
struct ServerMetricsTests {
    @Test("an unknown method token is recorded as other: clients cannot grow the label set")
    func unknownMethodsAreOther() {
        let metrics = ServerMetrics(shards: 1)
        for i in 0..<50 { metrics.record(shard: 0, method: "X\(i)", route: "/x", status: 501, seconds: 0.001) }
        metrics.record(shard: 0, method: "GET", route: "/x", status: 200, seconds: 0.001)
        let text = metrics.render()
        #expect(text.contains(#"http_requests_total{method="other",route="/x",status="501"} 50"#))
        #expect(text.contains(#"http_requests_total{method="GET",route="/x",status="200"} 1"#))
        #expect(!text.contains("X1"))
    }
}
