import ATSAuth
import ATSDomain
import ATSFeatures
import ATSHTTP
import ATSPersistence
import ATSSupport

/// Export, anonymization and self-erasure (API.md, Privacy (GDPR)).
struct PrivacyRoutes: Sendable {
    let database: any Database
    let privacy: PrivacyService
    let passwords: PasswordHasher
    let configuration: APIConfiguration
    /// The login limiter's store; erasure has keys of its own there (5 wrong passwords
    /// per account per window), so guessing through this route is limited like login.
    let loginLimiter: RateLimiter

    func register(on router: inout Router) {
        router.add("GET", "/api/candidates/{candidate_id}/export", api: exportCandidate)
        router.add("POST", "/api/candidates/{candidate_id}/anonymize", api: anonymize)
        router.add("GET", "/api/auth/me/export", api: exportSelf)
        router.add("POST", "/api/auth/me/erase", api: eraseSelf)
    }

    func exportCandidate(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = UserID(try context.pathID("candidate_id"))
        let data = try database.read(tenant: context.tenant.id) { work in
            try privacy.export(work, tenant: context.tenant.id, by: try context.requireCaller(in: work), candidate: id)
        }
        return PrivacyRoutes.exportResponse(data)
    }

    func exportSelf(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let data = try database.read(tenant: context.tenant.id) { work in
            try privacy.exportSelf(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work))
        }
        return PrivacyRoutes.exportResponse(data)
    }

    func anonymize(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = UserID(try context.pathID("candidate_id"))
        try BodyReader(request, emptyIsObject: true).finish()
        let person = try database.transaction(tenant: context.tenant.id) { work in
            try privacy.anonymize(work, tenant: context.tenant.id, by: try context.requireCaller(in: work), candidate: id)
        }
        return .json(200, person, ResourceJSON.write(candidate:to:))
    }

    /// The candidate erases themselves, proving it with their password (a stolen token
    /// alone cannot); a wrong one is 422, and past 5 wrong ones in the login window 429.
    func eraseSelf(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let password = body.string("password", required: true, length: 1...1024, trim: false) ?? nil
        try body.finish()
        let tenant = context.tenant.id
        let caller = try database.read(tenant: tenant) { try context.requireCaller(in: $0) }
        guard caller.role == .candidate else { throw APIError.forbidden("Only a candidate erases their own account; staff accounts are removed by an admin.") }
        let limitKey = "erase:\(tenant):\(caller.id)"
        if let wait = loginLimiter.attempt(limitKey, limit: configuration.loginFailuresPerEmail) { throw APIError.tooManyRequests(retryAfter: wait) }
        guard passwords.verify(password ?? "", against: caller.passwordHash) else {
            throw APIError.validation([FieldError("password", "is not your current password")])
        }
        loginLimiter.refund(limitKey)
        try database.transaction(tenant: tenant) { work in
            try privacy.eraseSelf(work, tenant: tenant, caller: try context.requireCaller(in: work))
        }
        return HTTPResponse(status: 204)
    }

    /// The export document: the person's profile, applications with their history,
    /// interviews, documents' metadata and the mail sent to them; for the admin also the
    /// staff's notes and scorecards about them. Features that hold nothing about the
    /// person yet give empty lists.
    static func exportResponse(_ data: PersonalData) -> HTTPResponse {
        var fields: [(key: String, value: JSONValue)] = [
            ("exported_at", .string(Timestamp.now().rfc3339)),
            ("profile", Representation.candidate(data.person)),
            ("applications", .array(data.applications.map { record in
                guard case .object(let fields) = Representation.application(record.application) else { return .null }
                return .object(fields + [("events", .array(record.events.map(Representation.event)))])
            })),
            ("interviews", .array(data.interviews.map { Representation.interview($0, showsInterviewers: data.forStaff) })),
            ("documents", .array(data.documents.map { Representation.document($0, download: true) })),
            ("notifications", .array(data.notifications.map(Representation.notification))),
        ]
        if data.forStaff {
            fields += [("notes", .array(data.notes.map(Representation.note))), ("scorecards", .array(data.scorecards.map(Representation.scorecard)))]
        }
        var headers = HTTPHeaders()
        headers.add("Cache-Control", "no-store")
        headers.add("Content-Disposition", "attachment; filename=\"personal-data-\(data.person.id).json\"")
        return .json(200, .object(fields), headers: headers)
    }
}
