import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Pipelines (API.md, Pipelines): the tenant's template and each job's.
struct PipelineRoutes: Sendable {
    let database: any Database
    let pipelines: PipelineService

    func register(on router: inout Router) {
        router.add("GET", "/api/pipeline", api: getTemplate)
        router.add("PUT", "/api/pipeline", api: putTemplate)
        router.add("GET", "/api/jobs/{job_id}/pipeline", api: getJobPipeline)
        router.add("PUT", "/api/jobs/{job_id}/pipeline", api: putJobPipeline)
    }

    func getTemplate(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let pipeline = try database.read(tenant: context.tenant.id) { work in
            try pipelines.template(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work))
        }
        return .json(200, Representation.pipeline(pipeline))
    }

    func putTemplate(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let definition = Self.definition(&body)
        try body.finish()
        let pipeline = try database.transaction(tenant: context.tenant.id) { work in
            try pipelines.replaceTemplate(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), definition)
        }
        return .json(200, Representation.pipeline(pipeline))
    }

    func getJobPipeline(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let job = JobID(try context.pathID("job_id"))
        let pipeline = try database.read(tenant: context.tenant.id) { work in
            try pipelines.forJob(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), job: job)
        }
        return .json(200, Representation.pipeline(pipeline))
    }

    /// `{stages, allow_skip, allow_back, move?: {old_key: new_key}}`.
    func putJobPipeline(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let job = JobID(try context.pathID("job_id"))
        var body = try BodyReader(request)
        let definition = Self.definition(&body)
        var move: [Stage: Stage] = [:]
        switch body.raw("move") {
        case nil, .null?: break
        case .object(let members)?:
            for (key, value) in members {
                guard let from = Stage(rawValue: key), case .string(let text) = value, let to = Stage(rawValue: text) else {
                    body.fail("move.\(key)", "must map a stage key to a stage key")
                    continue
                }
                move[from] = to
            }
        case _?: body.fail("move", "must be an object of stage keys")
        }
        try body.finish()
        let pipeline = try database.transaction(tenant: context.tenant.id) { work in
            try pipelines.replaceForJob(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), job: job, definition, move: move)
        }
        return .json(200, Representation.pipeline(pipeline))
    }

    /// `stages` (each `{key, name, kind}`), `allow_skip`, `allow_back`: all required (a
    /// PUT states the whole pipeline). The path rules are the service's.
    static func definition(_ body: inout BodyReader) -> PipelineService.Definition {
        let stages = body.objects("stages", required: true) { (stage: inout BodyReader) -> Pipeline.StageDefinition? in
            var key: Stage?
            switch stage.raw("key") {
            case nil: stage.fail("key", "is required")
            case .string(let text)?:
                key = Stage(rawValue: text)
                if key == nil { stage.fail("key", "must match [a-z0-9][a-z0-9_-]{0,39}") }
            case _?: stage.fail("key", "must be a string")
            }
            let name = stage.string("name", required: true, length: PipelineService.nameLength) ?? nil
            var kind: Pipeline.Kind?
            switch stage.raw("kind") {
            case nil: stage.fail("kind", "is required")
            case .string(let text)? where Pipeline.Kind.onPath.contains(where: { $0.rawValue == text }): kind = Pipeline.Kind(rawValue: text)
            case _?: stage.fail("kind", "must be one of \(Pipeline.Kind.onPath.map(\.rawValue).joined(separator: ", "))")
            }
            guard let key, let name, let kind else { return nil }
            return Pipeline.StageDefinition(key, name: name, kind: kind)
        }
        let allowSkip = body.bool("allow_skip")
        let allowBack = body.bool("allow_back")
        if allowSkip == nil && body.raw("allow_skip") == nil { body.fail("allow_skip", "is required") }
        if allowBack == nil && body.raw("allow_back") == nil { body.fail("allow_back", "is required") }
        return PipelineService.Definition(path: (stages ?? []).compactMap { $0 }, allowSkip: allowSkip ?? false, allowBack: allowBack ?? false)
    }
}
