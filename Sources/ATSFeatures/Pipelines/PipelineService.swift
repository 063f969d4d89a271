import ATSDomain
import ATSPersistence
import ATSSupport

/// Pipelines (API.md): the tenant's template and each job's copy, their validation, and
/// the moves a pipeline edit makes; also reopening a rejected application.
public struct PipelineService: Sendable {
    public init() {}

    public static let nameLength = 1...100
    public static let pathLength = 2...20

    /// A pipeline as a client sends it: the path (without `rejected`) and the flags.
    public struct Definition: Sendable {
        public var path: [Pipeline.StageDefinition]
        public var allowSkip: Bool
        public var allowBack: Bool

        public init(path: [Pipeline.StageDefinition], allowSkip: Bool, allowBack: Bool) {
            self.path = path
            self.allowSkip = allowSkip
            self.allowBack = allowBack
        }
    }

    public func template(_ work: UnitOfWork, tenant: TenantID, caller: User) throws -> Pipeline {
        try Access.require(caller, Access.staff)
        return try work.pipelines.template(tenant) ?? .standard
    }

    /// Replaces the template for new jobs; existing jobs keep theirs.
    public func replaceTemplate(_ work: UnitOfWork, tenant: TenantID, caller: User, _ definition: Definition) throws -> Pipeline {
        try Access.require(caller, [.admin])
        let pipeline = try Self.validated(definition)
        let old = try work.pipelines.template(tenant) ?? .standard
        try work.pipelines.replace(tenant, job: nil, pipeline)
        try work.audit(tenant, .pipelineUpdated, nil, by: caller, .diff(old.auditFields, pipeline.auditFields))
        return pipeline
    }

    public func forJob(_ work: UnitOfWork, tenant: TenantID, caller: User, job: JobID) throws -> Pipeline {
        try Access.require(caller, Access.staff)
        guard try work.jobs.find(tenant, id: job) != nil else { throw DomainError.notFound("No such job.") }
        return try work.pipelines.forJob(tenant, job) ?? .standard
    }

    /// Replaces a job's pipeline. Applications in a stage that goes away move by `move`
    /// (old key → new key), each with an event and no notification; a removed stage
    /// that holds applications and has no mapping is 409.
    public func replaceForJob(_ work: UnitOfWork, tenant: TenantID, caller: User, job jobID: JobID, _ definition: Definition,
                              move: [Stage: Stage]) throws -> Pipeline {
        try Access.require(caller, Access.staff)
        guard let job = try work.jobs.find(tenant, id: jobID) else { throw DomainError.notFound("No such job.") }
        guard caller.role == .admin || job.createdBy == caller.id else {
            throw DomainError.forbidden("Only the job's creator or an admin may change its pipeline.")
        }
        let pipeline = try Self.validated(definition)
        let old = try work.pipelines.forJob(tenant, jobID) ?? .standard
        let kept = Set(pipeline.stages.map(\.stage))
        let removed = old.path.map(\.stage).filter { !kept.contains($0) }
        for (from, to) in move.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard removed.contains(from) else { throw DomainError.invalid(field: "move.\(from.rawValue)", "is not a stage this change removes") }
            guard pipeline.path.contains(where: { $0.stage == to }) else {
                throw DomainError.invalid(field: "move.\(from.rawValue)", "must name a stage of the new pipeline")
            }
        }
        let counts = try work.workflow.stageCounts(tenant, job: jobID)
        let stranded = removed.filter { (counts[$0] ?? 0) > 0 && move[$0] == nil }
        guard stranded.isEmpty else {
            throw DomainError.conflictListing("Stages \(stranded.map(\.rawValue).joined(separator: ", ")) hold applications; give each a target in `move`.",
                                              member: "stages", items: stranded.map { .string($0.rawValue) })
        }
        for from in removed where (counts[from] ?? 0) > 0 {
            if let to = move[from] { try work.workflow.moveAll(tenant, job: jobID, from: from, to: to, actor: caller.eventActorID) }
        }
        try work.pipelines.replace(tenant, job: jobID, pipeline)
        // A job's pipeline is named by its job (the template has no resource id).
        var changes = AuditChanges.diff(old.auditFields, pipeline.auditFields)
        if !move.isEmpty {
            changes.set("move", old: .null, new: .object(move.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key.rawValue, .string($0.value.rawValue)) }))
        }
        try work.audit(tenant, .pipelineUpdated, jobID, by: caller, changes)
        return pipeline
    }

    /// The path rules of API.md, Pipelines; the stored pipeline (with `rejected`).
    public static func validated(_ definition: Definition) throws -> Pipeline {
        let path = definition.path
        guard pathLength.contains(path.count) else {
            throw DomainError.invalid(field: "stages", "must hold \(pathLength.lowerBound) to \(pathLength.upperBound) stages")
        }
        var seen: Set<Stage> = []
        for (i, stage) in path.enumerated() {
            let field = "stages[\(i)]"
            guard stage.stage != .rejected else { throw DomainError.invalid(field: "\(field).key", "rejected is reserved (always there, outside the path)") }
            guard seen.insert(stage.stage).inserted else { throw DomainError.invalid(field: "\(field).key", "duplicates an earlier key") }
            guard nameLength.contains(stage.name.unicodeScalars.count) else { throw DomainError.invalid(field: "\(field).name", "must be 1 to 100 characters") }
            let expected: String? = switch (i, stage.kind) {
            case (0, .applied), (path.count - 1, .hired): nil
            case (0, _): "must be applied (the path starts with the applied stage)"
            case (path.count - 1, _): "must be hired (the path ends with the one hired stage)"
            case (_, .screening), (_, .interview), (_, .offer): nil
            default: "must be screening, interview or offer between the first and the last stage"
            }
            if let expected { throw DomainError.invalid(field: "\(field).kind", expected) }
        }
        return Pipeline.withRejected(path, allowSkip: definition.allowSkip, allowBack: definition.allowBack)
    }
}
