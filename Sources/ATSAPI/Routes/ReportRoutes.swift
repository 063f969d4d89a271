import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// The reports (API.md, Reports): read-only aggregates over a window of applications.
struct ReportRoutes: Sendable {
    let database: any Database
    let reports: ReportService

    func register(on router: inout Router) {
        router.add("GET", "/api/reports/funnel", api: funnel)
        router.add("GET", "/api/reports/time-in-stage", api: timeInStage)
        router.add("GET", "/api/reports/sources", api: sources)
    }

    func funnel(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let window = try Self.window(request, jobs: true)
        let report = try database.read(tenant: context.tenant.id) { work in
            try reports.funnel(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), window)
        }
        return .json(200, Representation.funnel(report))
    }

    func timeInStage(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let window = try Self.window(request, jobs: true)
        let rows = try database.read(tenant: context.tenant.id) { work in
            try reports.timeInStage(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), window)
        }
        return .json(200, .array(rows.map(Representation.stageDuration)))
    }

    func sources(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let window = try Self.window(request, jobs: false)
        let rows = try database.read(tenant: context.tenant.id) { work in
            try reports.sources(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), window)
        }
        return .json(200, .array(rows.map(Representation.source)))
    }

    /// `from`, `to` (RFC 3339) and, where the report takes one, `job_id`.
    private static func window(_ request: HTTPRequest, jobs: Bool) throws -> ReportWindow {
        let query = try QueryReader(request)
        let from = try query.timestamp("from"), to = try query.timestamp("to")
        let job = jobs ? try query.id("job_id") : nil
        return try ReportService.window(from: from, to: to, job: job.map(JobID.init(rawValue:)))
    }
}
