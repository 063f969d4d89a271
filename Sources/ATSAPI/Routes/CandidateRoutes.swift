import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Candidates, the talent pool (API.md, Candidates), and staff adding one to a job.
struct CandidateRoutes: Sendable {
    let database: any Database
    let candidates: CandidateService
    let applications: ApplicationService

    func register(on router: inout Router) {
        router.add("GET", "/api/candidates", api: listCandidates)
        router.add("POST", "/api/candidates", api: createCandidate)
        router.add("GET", "/api/candidates/{candidate_id}", api: getCandidate)
        router.add("PATCH", "/api/candidates/{candidate_id}", api: updateCandidate)
        router.add("POST", "/api/candidates/{candidate_id}/merge", api: mergeCandidates)
        router.add("POST", "/api/jobs/{job_id}/applications", api: addApplication)
    }

    func listCandidates(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let query = try QueryReader(request)
        let pagination = try Pagination(request, query, keyset: true)
        // Tags are stored lower-cased and trimmed (ProfileFields): the filter is read alike.
        let filter = CandidateFilter(q: query.string("q"), tags: ProfileFields.unique(query.strings("tag").map { $0.lowercased() }),
                                     source: query.string("source"), jobID: try query.id("job_id").map(JobID.init(rawValue:)))
        let result = try database.read(tenant: context.tenant.id) { work in
            try candidates.list(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), filter: filter, page: pagination.page)
        }
        return pagination.response(result, ResourceJSON.write(candidate:to:))
    }

    /// A person who never signed up: role candidate, no password (`invite: true` mails
    /// them an invitation to set one, in the same transaction).
    func createCandidate(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        var email: String?
        if let raw = body.string("email", required: true, length: 1...320) ?? nil {
            email = Validation.normalizedEmail(raw)
            if email == nil { body.fail("email", "is not an email address") }
        }
        let fields = ProfileFields.read(&body, Set(ProfileFields.Field.allCases))
        let fullName = Self.requiredName(fields.fullName, &body, creating: true)
        let invite = body.bool("invite") ?? false
        try body.finish()
        let user = try database.transaction(tenant: context.tenant.id) { work in
            try candidates.create(work, tenant: context.tenant, caller: try context.requireCaller(in: work), email: email ?? "",
                                  fullName: fullName ?? "", profile: fields.profile, invite: invite)
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/candidates/\(user.id)")
        return .json(201, user, ResourceJSON.write(candidate:to:), headers: headers)
    }

    /// `full_name` is required on create and may not be cleared later (1-200 characters).
    private static func requiredName(_ value: String??, _ body: inout BodyReader, creating: Bool) -> String? {
        switch value {
        case .some(.some(let name)): return name
        case .some(.none): body.fail("full_name", "must be 1 to 200 characters")
        case .none: if creating { body.fail("full_name", "is required") }
        }
        return nil
    }

    func getCandidate(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = UserID(try context.pathID("candidate_id"))
        let user = try database.read(tenant: context.tenant.id) { work in
            try candidates.find(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return .json(200, user, ResourceJSON.write(candidate:to:))
    }

    /// Profile fields; `role`, `email` and the rest are unknown fields here (422).
    func updateCandidate(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = UserID(try context.pathID("candidate_id"))
        var body = try BodyReader(request, emptyIsObject: true)
        var fields = ProfileFields.read(&body, Set(ProfileFields.Field.allCases))
        fields.fullName = Self.requiredName(fields.fullName, &body, creating: false).map { .some($0) }
        try body.finish()
        let user = try database.transaction(tenant: context.tenant.id) { work in
            try candidates.update(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id, fields.changes)
        }
        return .json(200, user, ResourceJSON.write(candidate:to:))
    }

    func mergeCandidates(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = UserID(try context.pathID("candidate_id"))
        var body = try BodyReader(request)
        let duplicate = Self.id(&body, "duplicate_id")
        try body.finish()
        let user = try database.transaction(tenant: context.tenant.id) { work in
            try candidates.merge(work, tenant: context.tenant, caller: try context.requireCaller(in: work), survivor: id,
                                 duplicate: UserID(duplicate ?? 0))
        }
        return .json(200, user, ResourceJSON.write(candidate:to:))
    }

    /// Staff add a candidate to a job (any but a closed one) in its first stage.
    func addApplication(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let jobID = JobID(try context.pathID("job_id"))
        var body = try BodyReader(request)
        let candidate = Self.id(&body, "candidate_id")
        let source = body.string("source", length: 0...100, nullable: true).flatMap { $0.flatMap { $0.isEmpty ? nil : $0 } }
        let coverLetter = body.string("cover_letter", length: 0...10_000, trim: false, nullable: true) ?? nil
        let resumeURL = body.string("resume_url", length: 1...2000, nullable: true) ?? nil
        if let url = resumeURL, !JobRoutes.isHTTPURL(url) { body.fail("resume_url", "must be an http or https URL") }
        let resumeDocument = Self.id(&body, "resume_document_id", required: false)
        // API.md: `notify_candidate?: false`: a sourced person is not mailed unless staff ask.
        let notify = body.bool("notify_candidate") ?? false
        try body.finish()
        let application = try database.transaction(tenant: context.tenant.id) { work in
            try applications.addByStaff(work, tenant: context.tenant, caller: try context.requireCaller(in: work), jobID: jobID,
                                        NewApplication(jobID: jobID, candidateID: UserID(candidate ?? 0), coverLetter: coverLetter, resumeURL: resumeURL,
                                                       source: source, resumeDocumentID: resumeDocument),
                                        notifyCandidate: notify)
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/applications/\(application.id)")
        headers.add("ETag", application.etag)
        return .json(201, application, ResourceJSON.write(application:to:), headers: headers)
    }

    /// A positive id field (null allowed when not required).
    private static func id(_ body: inout BodyReader, _ name: String, required: Bool = true) -> Int64? {
        body.id(name, required: required)
    }
}
