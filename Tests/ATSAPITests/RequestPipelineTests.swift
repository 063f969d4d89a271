import ATSAPI
import ATSAuth
import ATSDomain
import ATSFeatures
import ATSHTTP
import ATSPersistence
import ATSPostgres
import ATSSupport
import ATSTestSupport
import Synchronization
import Testing

@Suite("Request pipeline: middleware, logging, round trips", .timeLimit(.minutes(3)))
struct RequestPipelineTests {
    /// A database whose every transaction fails the way a bug would (an unexpected engine
    /// error): what a 500 looks like from outside and in the log.
    private struct BrokenDatabase: Database {
        let dialect = SQLDialect.sqlite
        func withTransaction<T>(tenant: TenantID?, _ body: (SQLTransaction) throws -> T) throws -> T {
            throw StorageError.internalError("XX000 relation \"jobs\" is broken")
        }
        func withReadTransaction<T>(tenant: TenantID?, _ body: (SQLTransaction) throws -> T) throws -> T {
            try withTransaction(tenant: tenant, body)
        }
        func ping() throws {}
    }

    @Test("a 500 is logged at error level with the request id and the underlying error; the body says neither")
    func serverErrorsAreLogged() throws {
        let lines = Mutex<[String]>([])
        let logger = Logger(level: .error) { line in lines.withLock { $0.append(line) } }
        let api = try API(database: BrokenDatabase(), configuration: APIConfiguration(secretKey: Array("k".utf8) + Array(repeating: 1, count: 40)),
                          passwords: PasswordHasher(opsLimit: 1, memLimit: 8192), logger: logger)
        let router = APIRouter.make(api: api, metrics: ServerMetrics(shards: 1))
        guard case .found(let route, let parameters) = router.match(method: "GET", path: "/api/jobs"[...]) else {
            Issue.record("no route")
            return
        }
        let request = HTTPRequest(head: HTTPRequestHead(method: "GET", target: "/api/jobs", version: .http1_1, headers: HTTPHeaders()))
        let response = try route.handler(request, RequestContext(requestID: "req-42", route: route.template, parameters: parameters))
        #expect(response.status == 500)
        let body = String(decoding: response.body, as: UTF8.self)
        #expect(body.contains("req-42") && !body.contains("relation"))
        let logged = lines.withLock { $0 }
        #expect(logged.count == 1)
        #expect(logged.first?.contains(#""level":"error""#) == true)
        #expect(logged.first?.contains(#""request_id":"req-42""#) == true)
        #expect(logged.first?.contains("relation") == true, "the underlying error, for whoever investigates")
    }

    @Test("the API's routes do not shadow one another")
    func noRouteConflicts() throws {
        let api = try API(database: BrokenDatabase(), configuration: APIConfiguration(secretKey: Array(repeating: 7, count: 16) + Array(0..<32)),
                          passwords: PasswordHasher(opsLimit: 1, memLimit: 8192))
        let router = APIRouter.make(api: api, metrics: ServerMetrics(shards: 1))
        #expect(router.conflicts.isEmpty, "\(router.conflicts)")
        #expect(router.routes.count > 20)
    }

    @Test("the tenant is on the access-log fields of error responses too")
    func tenantOnErrors() throws {
        let env = try APITestEnvironment(.sqlite)
        let api = try API(database: env.database.database, configuration: APIConfiguration(secretKey: env.secret), passwords: env.hasher)
        let router = APIRouter.make(api: api, metrics: ServerMetrics(shards: 1))
        guard case .found(let route, let parameters) = router.match(method: "GET", path: "/api/users"[...]) else {
            Issue.record("no route")
            return
        }
        let request = HTTPRequest(head: HTTPRequestHead(method: "GET", target: "/api/users", version: .http1_1, headers: HTTPHeaders()))
        let context = RequestContext(requestID: "r", route: route.template, parameters: parameters)
        let response = try route.handler(request, context)
        #expect(response.status == 401)
        #expect(context.log.fields.contains { $0 == ("tenant", "default") })
    }

    @Test("protected routes authenticate before they validate: no token or a bad one is 401, not 422", arguments: Backend.allCases)
    func authenticateFirst(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        for (method, path) in [("POST", "/api/jobs"), ("PATCH", "/api/applications/1/stage"), ("POST", "/api/users"), ("PATCH", "/api/jobs/1")] {
            for token in [nil, "not.a.token"] {
                let response = try env.call(method, path, body: #"{"unknown_field":1}"#, token: token)
                #expect(response.status == 401 && response.header("WWW-Authenticate") == "Bearer", "\(method) \(path) token \(token ?? "none"): \(response.text)")
            }
        }
        // Public routes still validate for anonymous callers.
        #expect(try env.call("POST", "/api/auth/signup", body: #"{"unknown_field":1}"#).status == 422)
    }

    @Test("round trips on PostgreSQL: GET /api/jobs/ is 1 (the tenant scope and the page with its count in one pipeline, no BEGIN/COMMIT), PATCH …/stage is 7")
    func roundTripsPerRequest() throws {
        let env = try APITestEnvironment(.postgres)
        let database = try #require(env.database.database as? PostgresDatabase)
        let (_, recruiter) = try env.signedIn("rec@example.com", role: .recruiter)
        var jobsList: [Int] = []
        var stageChange: [Int] = []
        for i in 0..<6 {
            let job = try env.call("POST", "/api/jobs", body: #"{"title":"Job \#(i)","company":"C"}"#, token: recruiter)["id"]?.int ?? 0
            let (_, candidate) = try env.signedIn("c\(i)@example.com", role: .candidate)
            let application = try env.call("POST", "/api/jobs/\(job)/apply", body: "{}", token: candidate)["id"]?.int ?? 0
            var before = database.roundTrips.value
            #expect(try env.call("GET", "/api/jobs/?limit=20").status == 200)
            jobsList.append(database.roundTrips.value - before)
            before = database.roundTrips.value
            #expect(try env.call("PATCH", "/api/applications/\(application)/stage", body: #"{"stage":"screening"}"#, token: recruiter).status == 200)
            stageChange.append(database.roundTrips.value - before)
        }
        // The smallest of six: a request on a connection that has not prepared the
        // statement yet pays one PREPARE more.
        // On Citus a read stays a transaction (BEGIN with SET LOCAL, then COMMIT): 2.
        #expect(jobsList.min() == (CitusTestCluster.isConfigured ? 2 : 1), "GET /api/jobs/: \(jobsList)")
        // 7: the audit entry is one INSERT of its own (in the same transaction). On Citus
        // (scripts/citus-check) 10: there the writers read before they insert (the stage
        // history, the webhook subscribers; deploy/SCALING.md, "How ats behaves there").
        let expected = CitusTestCluster.isConfigured ? 10 : 7
        #expect(stageChange.min() == expected, "PATCH stage: \(stageChange)")
    }
}
