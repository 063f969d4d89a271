import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// The JSON shapes of API.md (also used by `ats tenant export`). A user's password hash
/// never appears in any of them.
public enum Representation {
    public static func user(_ u: User) -> JSONValue {
        .object([
            ("id", .int(u.id.rawValue)), ("email", .string(u.email)), ("full_name", u.fullName.map(JSONValue.string) ?? .null),
            ("role", .string(u.role.rawValue)), ("is_active", .bool(u.isActive)), ("created_at", .string(u.createdAt.rfc3339)),
        ])
    }

    /// `Candidate` (API.md, Candidates): `User` plus the profile.
    public static func candidate(_ u: User) -> JSONValue {
        guard case .object(var fields) = user(u) else { return user(u) }
        fields += [
            ("phone", u.profile.phone.map(JSONValue.string) ?? .null), ("location", u.profile.location.map(JSONValue.string) ?? .null),
            ("links", .array(u.profile.links.map(JSONValue.string))), ("tags", .array(u.profile.tags.map(JSONValue.string))),
            ("source", u.profile.source.map(JSONValue.string) ?? .null), ("has_password", .bool(u.hasPassword)),
            ("updated_at", .string(u.updatedAt.rfc3339)),
        ]
        return .object(fields)
    }

    public static func job(_ j: Job) -> JSONValue {
        .object([
            ("id", .int(j.id.rawValue)), ("title", .string(j.title)), ("company", .string(j.company)),
            ("description", j.description.map(JSONValue.string) ?? .null), ("location", j.location.map(JSONValue.string) ?? .null),
            ("status", .string(j.status.rawValue)), ("created_by", .int(j.createdBy.rawValue)),
            ("created_at", .string(j.createdAt.rfc3339)), ("updated_at", .string(j.updatedAt.rfc3339)),
        ])
    }

    public static func application(_ a: Application) -> JSONValue {
        .object([
            ("id", .int(a.id.rawValue)), ("job_id", .int(a.jobID.rawValue)), ("candidate_id", .int(a.candidateID.rawValue)),
            ("stage", .string(a.stage.rawValue)), ("cover_letter", a.coverLetter.map(JSONValue.string) ?? .null),
            ("resume_url", a.resumeURL.map(JSONValue.string) ?? .null),
            ("created_at", .string(a.createdAt.rfc3339)), ("updated_at", .string(a.updatedAt.rfc3339)),
            ("source", a.source.map(JSONValue.string) ?? .null), ("rejection", a.rejection.map(rejection) ?? .null),
            ("resume_document_id", a.resumeDocumentID.map { .int($0) } ?? .null),
        ])
    }

    /// `{reason_id, reason, note}` (API.md, Rejection reasons).
    public static func rejection(_ r: Rejection) -> JSONValue {
        .object([("reason_id", r.reasonID.map(JSONValue.int) ?? .null), ("reason", r.reason.map(JSONValue.string) ?? .null),
                 ("note", r.note.map(JSONValue.string) ?? .null)])
    }

    /// `Pipeline`: the path as a client sends it back with PUT (the reserved terminal
    /// `rejected` stage is implied, not listed).
    public static func pipeline(_ p: Pipeline) -> JSONValue {
        .object([
            ("stages", .array(p.path.map { .object([("key", .string($0.stage.rawValue)), ("name", .string($0.name)), ("kind", .string($0.kind.rawValue))]) })),
            ("allow_skip", .bool(p.allowSkip)), ("allow_back", .bool(p.allowBack)),
        ])
    }

    public static func rejectionReason(_ r: RejectionReason) -> JSONValue {
        .object([("id", .int(r.id)), ("name", .string(r.name)), ("kind", .string(r.kind.rawValue)), ("archived", .bool(r.archived))])
    }

    public static func event(_ e: ApplicationEvent) -> JSONValue {
        .object([
            ("id", .int(e.id)), ("from_stage", e.fromStage.map { .string($0.rawValue) } ?? .null), ("to_stage", .string(e.toStage.rawValue)),
            ("actor_id", e.actorID.map { .int($0.rawValue) } ?? .null), ("note", e.note.map(JSONValue.string) ?? .null),
            ("created_at", .string(e.createdAt.rfc3339)),
        ])
    }

    public static func notification(_ m: OutboxMessage) -> JSONValue {
        .object([
            ("id", .int(m.id)), ("kind", .string(m.kind)), ("recipient", .string(m.recipient)), ("status", .string(m.status.rawValue)),
            ("attempts", .int(Int64(m.attempts))), ("last_error", m.lastError.map(JSONValue.string) ?? .null),
            ("created_at", .string(m.createdAt.rfc3339)), ("sent_at", m.sentAt.map { .string($0.rfc3339) } ?? .null),
        ])
    }

    /// `APIKey`: `key` (the secret) only in the response that created it. `prefix` is
    /// the key's visible start (`ats_` and the public part), to recognise it by.
    public static func apiKey(_ k: APIKey, secret: String? = nil) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("id", .int(k.id)), ("name", .string(k.name)), ("role", .string(k.role.rawValue)), ("prefix", .string(APIKeySecret.scheme + k.prefix)),
        ]
        if let secret { fields.append(("key", .string(secret))) }
        fields += [
            ("created_by", .int(k.createdBy.rawValue)), ("created_at", .string(k.createdAt.rfc3339)),
            ("last_used_at", k.lastUsedAt.map { .string($0.rfc3339) } ?? .null),
        ]
        return .object(fields)
    }

    /// `{slug, name, settings}` (API.md, Tenant settings).
    public static func tenant(_ t: Tenant) -> JSONValue {
        .object([("slug", .string(t.slug)), ("name", .string(t.name)), ("settings", t.settings.json)])
    }

    /// `Note` (API.md, Notes).
    /// `Document` (API.md, Documents); `download` (the content's path) in exports.
    public static func document(_ d: Document, download: Bool = false) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("id", .int(d.id.rawValue)), ("candidate_id", .int(d.candidateID.rawValue)), ("kind", .string(d.kind.rawValue)),
            ("filename", .string(d.filename)), ("content_type", .string(d.contentType)), ("size", .int(d.size)), ("sha256", .string(d.sha256)),
            ("uploaded_by", d.uploadedBy.map { .int($0.rawValue) } ?? .null), ("created_at", .string(d.createdAt.rfc3339)),
        ]
        if download { fields.append(("download_path", .string("/api/documents/\(d.id)/content"))) }
        return .object(fields)
    }

    public static func note(_ n: Note) -> JSONValue {
        .object([
            ("id", .int(n.id.rawValue)), ("application_id", .int(n.applicationID.rawValue)), ("author_id", n.authorID.map { .int($0.rawValue) } ?? .null),
            ("body", .string(n.body)), ("created_at", .string(n.createdAt.rfc3339)),
        ])
    }

    /// `Interview`; the candidate's view leaves out `interviewer_ids`.
    public static func interview(_ i: Interview, showsInterviewers: Bool = true) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("id", .int(i.id.rawValue)), ("application_id", .int(i.applicationID.rawValue)), ("title", .string(i.title)),
            ("starts_at", .string(i.startsAt.rfc3339)), ("ends_at", .string(i.endsAt.rfc3339)), ("location", i.location.map(JSONValue.string) ?? .null),
            ("video_url", i.videoURL.map(JSONValue.string) ?? .null),
        ]
        if showsInterviewers { fields.append(("interviewer_ids", .array(i.interviewerIDs.map { .int($0.rawValue) }))) }
        fields += [("status", .string(i.status.rawValue)), ("created_by", i.createdBy.map { .int($0.rawValue) } ?? .null),
                   ("created_at", .string(i.createdAt.rfc3339)), ("updated_at", .string(i.updatedAt.rfc3339))]
        return .object(fields)
    }

    /// `Scorecard`.
    public static func scorecard(_ s: Scorecard) -> JSONValue {
        .object([
            ("id", .int(s.id.rawValue)), ("interview_id", .int(s.interviewID.rawValue)), ("application_id", .int(s.applicationID.rawValue)),
            ("author_id", .int(s.authorID.rawValue)), ("recommendation", .string(s.recommendation.rawValue)),
            ("ratings", .array(s.ratings.map { .object([("attribute", .string($0.attribute)), ("rating", .int($0.rating))]) })),
            ("notes", s.notes.map(JSONValue.string) ?? .null), ("created_at", .string(s.createdAt.rfc3339)), ("updated_at", .string(s.updatedAt.rfc3339)),
        ])
    }

    /// The ETag of an application: its version, strong.
    static func etag(_ a: Application) -> String { "\"\(a.version)\"" }
}

extension HTTPResponse {
    static func json(_ status: Int, _ value: JSONValue, headers: HTTPHeaders? = nil) -> HTTPResponse {
        .json(status, value.bytes, headers: headers)
    }
}

/// `limit`/`offset` from the query, and the `X-Total-Count` and RFC 8288 `Link` headers of
/// the page that came back.
struct Pagination {
    static let maxOffset = 1_000_000_000
    let page: Page
    private let path: String
    private let otherParameters: [(name: String, value: String)]

    init(_ request: HTTPRequest, _ query: QueryReader) throws(APIError) {
        page = Page(limit: try query.integer("limit", default: 20, range: 1...100),
                    offset: try query.integer("offset", default: 0, range: 0...Pagination.maxOffset))
        path = String(request.path)
        otherParameters = query.nonPaging
    }

    /// `exact` false: counting stopped at a bound, so `total` is a lower bound (said by
    /// `X-Total-Count-Exact: false`) and a full page means there may be a next one.
    func headers(total: Int, exact: Bool = true, itemCount: Int = 0) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add("X-Total-Count", String(total))
        if !exact { headers.add("X-Total-Count-Exact", "false") }
        var links: [String] = []
        let hasNext = page.offset + page.limit < total || (!exact && itemCount == page.limit)
        if hasNext { links.append("<\(url(offset: page.offset + page.limit))>; rel=\"next\"") }
        if page.offset > 0 { links.append("<\(url(offset: max(0, page.offset - page.limit)))>; rel=\"prev\"") }
        if !links.isEmpty { headers.add("Link", links.joined(separator: ", ")) }
        return headers
    }

    private func url(offset: Int) -> String {
        var parts = otherParameters.map { "\(Pagination.encode($0.name))=\(Pagination.encode($0.value))" }
        parts.append("limit=\(page.limit)")
        parts.append("offset=\(offset)")
        return path + "?" + parts.joined(separator: "&")
    }

    private static func encode(_ s: String) -> String { PercentEncoding.encode(s) }

    func response(_ items: [JSONValue], total: Int, exact: Bool = true) -> HTTPResponse {
        .json(200, .array(items), headers: headers(total: total, exact: exact, itemCount: items.count))
    }
}

extension Representation {
    /// The funnel report (API.md, Reports).
    static func funnel(_ r: FunnelReport) -> JSONValue {
        .object([
            ("job_id", r.window.job.map { .int($0.rawValue) } ?? .null),
            ("from", .string(r.window.from.rfc3339)), ("to", .string(r.window.to.rfc3339)),
            ("applications", .int(Int64(r.applications))),
            ("stages", .array(r.stages.map { row in
                .object([("key", .string(row.definition.stage.rawValue)), ("name", .string(row.definition.name)),
                         ("kind", .string(row.definition.kind.rawValue)), ("reached", .int(Int64(row.reached))), ("current", .int(Int64(row.current)))])
            })),
            ("hired", .int(Int64(r.hired))), ("rejected", .int(Int64(r.rejected))),
        ])
    }

    static func stageDuration(_ r: StageDurationRow) -> JSONValue {
        .object([
            ("key", .string(r.definition.stage.rawValue)), ("name", .string(r.definition.name)), ("samples", .int(Int64(r.samples))),
            ("median_hours", r.medianHours.map { .double(($0 * 100).rounded() / 100) } ?? .null),
            ("p90_hours", r.p90Hours.map { .double(($0 * 100).rounded() / 100) } ?? .null),
        ])
    }

    static func source(_ r: SourceRow) -> JSONValue {
        .object([("source", .string(r.source)), ("applications", .int(Int64(r.applications))), ("hired", .int(Int64(r.hired)))])
    }
}
