import ATSDomain

/// Pipelines: one per job, and the tenant's template (copied into each new job).
public protocol PipelineRepository {
    /// The job's pipeline; nil when it has none (it then follows `Pipeline.standard`).
    func forJob(_ tenant: TenantID, _ job: JobID) throws -> Pipeline?
    /// The tenant's template for new jobs; nil when it has none.
    func template(_ tenant: TenantID) throws -> Pipeline?
    /// Stores `pipeline` as the tenant's template (a tenant has at most one).
    func createTemplate(_ tenant: TenantID, _ pipeline: Pipeline) throws
    /// Gives `job` its own copy of the tenant's template (of `Pipeline.standard` when
    /// the tenant has none).
    func copyTemplate(_ tenant: TenantID, toJob job: JobID) throws
    /// Replaces the stages and flags of the job's pipeline (of the template when `job`
    /// is nil), creating it when there is none.
    func replace(_ tenant: TenantID, job: JobID?, _ pipeline: Pipeline) throws
    /// The pipelines of `jobs` (one statement); a job without one is absent.
    func forJobs(_ tenant: TenantID, _ jobs: [JobID]) throws -> [JobID: Pipeline]
}
