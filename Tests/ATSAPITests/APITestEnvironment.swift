import ATSAPI
import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence
import ATSTestSupport
import Testing

/// A live API server on 127.0.0.1:0 (or another loopback address) over a fresh database of either backend.
final class APITestEnvironment: @unchecked Sendable {
    let database: TestDatabase
    let server: HTTPServer
    let secret = Array("test-secret-key-that-is-32-bytes-or-more".utf8)
    /// Real Argon2id, by default at libsodium's minimum cost, so a test can log in many times quickly.
    let hasher: PasswordHasher
    var port: Int { server.port }
    /// The address the server listens on and the client connects to.
    let address: String

    init(_ backend: Backend, listenOn address: String = "127.0.0.1", hasher: PasswordHasher = PasswordHasher(opsLimit: 1, memLimit: 8192),
         clock: TestClock? = nil, configure: (inout APIConfiguration) -> Void = { _ in }) throws {
        self.address = address
        self.hasher = hasher
        if let clock {
            database = try TestDatabase(backend, clock: clock.now)
        } else {
            database = try TestDatabase(backend)
        }
        var configuration = APIConfiguration(secretKey: secret, tokenLifetimeSeconds: 3600)
        // Tests make many requests as one caller: the rate limit is on only where a test asks.
        configuration.rateLimitPerMinute = 0
        configure(&configuration)
        let api = try API(database: database.database, configuration: configuration, passwords: hasher)
        var serverConfiguration = ServerConfiguration()
        serverConfiguration.host = address
        serverConfiguration.port = 0
        serverConfiguration.threads = 2
        serverConfiguration.workers = 16
        serverConfiguration.accessLog = false
        let metrics = ServerMetrics(shards: 2)
        server = HTTPServer(configuration: serverConfiguration, router: APIRouter.make(api: api, metrics: metrics), metrics: metrics,
                            errorResponder: APIRouter.errorResponder)
        try server.start()
    }

    deinit { server.shutdown() }

    struct Response {
        let wire: WireResponse
        var status: Int { wire.status }
        func header(_ name: String) -> String? { wire.header(name) }
        var json: JSONValue { (try? JSONParser.parse(wire.body)) ?? .null }
        var text: String { wire.bodyText }
        subscript(key: String) -> JSONValue? { json[key] }
        var items: [JSONValue] { if case .array(let items) = json { return items } else { return [] } }
    }

    func call(_ method: String, _ path: String, body: String? = nil, token: String? = nil, tenant: String? = nil,
              contentType: String? = "application/json", headers: [(String, String)] = [], host: String = "test") throws -> Response {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
        if let token { request += "Authorization: Bearer \(token)\r\n" }
        if let tenant { request += "X-Tenant: \(tenant)\r\n" }
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        var bytes = Array(request.utf8)
        if let body {
            let payload = Array(body.utf8)
            if let contentType { bytes += Array("Content-Type: \(contentType)\r\n".utf8) }
            bytes += Array("Content-Length: \(payload.count)\r\n\r\n".utf8) + payload
        } else {
            bytes += Array("\r\n".utf8)
        }
        let client = try TestClient(port: port, host: address, timeout: 20)
        try client.send(bytes)
        return Response(wire: try client.readResponse(head: method == "HEAD"))
    }

    /// Creates a user straight in the database (to bootstrap admins and recruiters).
    @discardableResult
    func user(_ email: String, role: Role, tenant: String = "default", password: String = "password123") throws -> User {
        let hash = try hasher.hash(password)
        let db = database.database
        guard let found = try db.read(tenant: nil, { try $0.tenants.find(slug: tenant) }) else { throw APIError.notFound(tenant) }
        return try db.transaction(tenant: found.id) { try $0.users.create(found.id, NewUser(email: email, passwordHash: hash, fullName: nil, role: role)) }
    }

    func createTenant(_ slug: String) throws {
        _ = try database.database.transaction(tenant: nil) { try $0.tenants.create(slug: slug, name: slug) }
    }

    func login(_ email: String, password: String = "password123", tenant: String? = nil) throws -> String {
        let response = try call("POST", "/api/auth/login", body: #"{"email":"\#(email)","password":"\#(password)"}"#, tenant: tenant)
        guard case .string(let token)? = response["access_token"] else {
            Issue.record("login failed: \(response.status) \(response.text)")
            throw APIError.unauthorized("login failed")
        }
        return token
    }

    /// A user with `role` created and logged in: (user, token).
    func signedIn(_ email: String, role: Role, tenant: String = "default") throws -> (User, String) {
        let user = try self.user(email, role: role, tenant: tenant)
        return (user, try login(email, tenant: tenant))
    }
}

extension JSONValue {
    var int: Int64? { if case .int(let n) = self { return n } else { return nil } }
    var string: String? { if case .string(let s) = self { return s } else { return nil } }
}
