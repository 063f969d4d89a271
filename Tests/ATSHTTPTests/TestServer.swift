@testable import ATSHTTP
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A live server on 127.0.0.1 and a free port, with routes that exercise the server:
/// an inline route, a blocking one, an echo of the body, and a slow blocking one.
final class TestServer: Sendable {
    let server: HTTPServer
    var port: Int { server.port }

    init(configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var config = ServerConfiguration()
        config.port = 0
        config.threads = 2
        config.workers = 4
        config.accessLog = false
        configure(&config)
        var router = Router()
        router.get("/hello", mode: .inline) { _, _ in .text(200, "hello") }
        router.get("/blocking", mode: .blocking) { _, _ in .text(200, "blocking") }
        router.get("/peer", mode: .inline) { _, context in .text(200, context.remoteAddress) }
        router.get("/items/{id}", mode: .inline) { _, context in .text(200, "item \(context.parameters["id"] ?? "?")") }
        router.post("/echo", mode: .blocking) { request, _ in HTTPResponse(status: 200, body: request.body) }
        // A route with its own, larger body limit (an upload): 4 × the server's default.
        router.add("POST", "/upload", mode: .blocking, maxBody: 4 * config.limits.maxBody) { request, _ in
            .text(200, "\(request.body.count) \(request.body.capacity)")
        }
        router.get("/seq/{n}", mode: .blocking) { _, context in
            // Later requests finish sooner, so order comes from the server, not luck.
            let n = Int(context.parameters["n"] ?? "0") ?? 0
            usleep(UInt32(max(0, 5 - n) * 2_000))
            return .text(200, "seq \(n)")
        }
        router.get("/sleep/{ms}", mode: .blocking) { _, context in
            usleep(UInt32(Int(context.parameters["ms"] ?? "0") ?? 0) * 1000)
            return .text(200, "slept")
        }
        router.get("/big/{kib}", mode: .inline) { _, context in
            let kib = Int(context.parameters["kib"] ?? "1") ?? 1
            return HTTPResponse(status: 200, body: [UInt8](repeating: UInt8(ascii: "x"), count: kib * 1024))
        }
        router.get("/fail", mode: .blocking) { _, _ in throw TestFailure() }
        server = HTTPServer(configuration: config, router: router)
        try server.start()
    }

    struct TestFailure: Error {}

    func stop() { server.shutdown() }
}
