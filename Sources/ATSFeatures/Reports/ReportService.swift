import ATSDomain
import ATSPersistence
import ATSSupport

/// The reports (API.md, Reports): staff only; over the applications created in a
/// window that defaults to the last 90 days. A report for one job lists that job's
/// stages; a report over every job lists the tenant's template stages (jobs' own
/// extra stages are counted in `applications`, `hired` and `rejected` but get no row).
public struct ReportService: Sendable {
    public static let defaultDays: Int64 = 90

    public init() {}

    /// The window from the query's `from`/`to` (either may be absent); `from` after
    /// `to` is invalid.
    public static func window(from: Timestamp?, to: Timestamp?, job: JobID?, now: Timestamp = .now()) throws -> ReportWindow {
        let end = to ?? now
        let start = from ?? Timestamp(microseconds: end.microseconds - defaultDays * 86_400 * 1_000_000)
        guard start <= end else { throw DomainError.invalid(field: "from", "must not be after to") }
        return ReportWindow(from: start, to: end, job: job)
    }

    public func funnel(_ work: UnitOfWork, tenant: TenantID, caller: User, _ window: ReportWindow) throws -> FunnelReport {
        let pipeline = try stages(work, tenant: tenant, caller: caller, window)
        let counts = try work.reports.funnel(tenant, window)
        let rows = pipeline.stages.map { FunnelReport.StageRow($0, reached: counts.reached[$0.stage] ?? 0, current: counts.current[$0.stage] ?? 0) }
        return FunnelReport(window: window, applications: counts.applications, stages: rows, hired: counts.hired,
                            rejected: counts.current[.rejected] ?? 0)
    }

    public func timeInStage(_ work: UnitOfWork, tenant: TenantID, caller: User, _ window: ReportWindow) throws -> [StageDurationRow] {
        let pipeline = try stages(work, tenant: tenant, caller: caller, window)
        let stays = try work.reports.stays(tenant, window)
        return pipeline.stages.map { definition in
            let statistics = stays[definition.stage]
            return StageDurationRow(definition, samples: statistics?.samples ?? 0, medianHours: statistics?.medianHours, p90Hours: statistics?.p90Hours)
        }
    }

    public func sources(_ work: UnitOfWork, tenant: TenantID, caller: User, _ window: ReportWindow) throws -> [SourceRow] {
        try Access.require(caller, Access.staff)
        return try work.reports.sources(tenant, window)
    }

    /// The stages a report lists (after the access check, and 404 for an unknown job).
    private func stages(_ work: UnitOfWork, tenant: TenantID, caller: User, _ window: ReportWindow) throws -> Pipeline {
        try Access.require(caller, Access.staff)
        guard let job = window.job else { return try work.pipelines.template(tenant) ?? .standard }
        guard try work.jobs.find(tenant, id: job) != nil else { throw DomainError.notFound("No such job.") }
        return try work.pipelines.forJob(tenant, job) ?? .standard
    }
}
