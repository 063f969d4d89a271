import ATSAuth
import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// The JSON shapes of API.md (also used by `ats tenant export`). A user's password hash
/// never appears in any of them.
public enum Representation {
    public static func user(_ u: User) -> JSONValue { ResourceJSON.user(u) }

    /// `Candidate` (API.md, Candidates): `User` plus the profile.
    public static func candidate(_ u: User) -> JSONValue { ResourceJSON.candidate(u) }

    public static func job(_ j: Job) -> JSONValue { ResourceJSON.job(j) }

    public static func application(_ a: Application) -> JSONValue { ResourceJSON.application(a) }

    /// `{reason_id, reason, note}` (API.md, Rejection reasons).
    public static func rejection(_ r: Rejection) -> JSONValue { ResourceJSON.rejection(r) }

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

    /// `Webhook`: `secret` only in the responses of create and rotate.
    public static func webhook(_ w: Webhook, secret: String? = nil) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("id", .int(w.id)), ("url", .string(w.url)), ("events", .array(w.events.map(JSONValue.string))),
            ("description", w.description.map(JSONValue.string) ?? .null), ("active", .bool(w.active)),
        ]
        if let secret { fields.append(("secret", .string(secret))) }
        fields += [
            ("created_at", .string(w.createdAt.rfc3339)), ("last_success_at", w.lastSuccessAt.map { .string($0.rfc3339) } ?? .null),
            ("last_failure_at", w.lastFailureAt.map { .string($0.rfc3339) } ?? .null), ("consecutive_failures", .int(Int64(w.consecutiveFailures))),
        ]
        return .object(fields)
    }

    /// A webhook delivery (an outbox row of channel `webhook`): `sent` reads `succeeded`,
    /// a cancelled one (its webhook was deleted) `dead`; `next_attempt_at` while it waits.
    public static func webhookDelivery(_ m: OutboxMessage) -> JSONValue {
        let status: String
        switch m.status {
        case .pending: status = "pending"
        case .failed: status = "failed"
        case .sent: status = "succeeded"
        case .dead, .cancelled: status = "dead"
        }
        let waiting = m.status == .pending || m.status == .failed
        return .object([
            ("id", .int(m.id)), ("event_id", .int(m.eventID ?? m.id)), ("event_type", .string(m.kind)), ("status", .string(status)),
            ("attempts", .int(Int64(m.attempts))), ("response_status", m.responseStatus.map { .int(Int64($0)) } ?? .null),
            ("duration_ms", m.durationMilliseconds.map { .int(Int64($0)) } ?? .null), ("last_error", m.lastError.map(JSONValue.string) ?? .null),
            ("next_attempt_at", waiting ? .string(m.availableAt.rfc3339) : .null), ("created_at", .string(m.createdAt.rfc3339)),
        ])
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
    public static func interview(_ i: Interview, showsInterviewers: Bool = true) -> JSONValue { ResourceJSON.interview(i, showsInterviewers: showsInterviewers) }

    /// `Scorecard`.
    public static func scorecard(_ s: Scorecard) -> JSONValue { ResourceJSON.scorecard(s) }

    /// The ETag of an application: its version, strong.
    static func etag(_ a: Application) -> String { "\"\(a.version)\"" }
}

extension HTTPResponse {
    static func json(_ status: Int, _ value: JSONValue, headers: HTTPHeaders? = nil) -> HTTPResponse {
        .json(status, value.bytes, headers: headers)
    }

    /// One resource written straight to bytes by its `ResourceJSON.write` (no tree).
    static func json<Item>(_ status: Int, _ item: Item, _ write: (Item, inout JSONWriter) -> Void, headers: HTTPHeaders? = nil) -> HTTPResponse {
        var writer = JSONWriter()
        write(item, &writer)
        return .json(status, writer.finish(), headers: headers)
    }
}

/// `limit`/`offset` from the query, and the `X-Total-Count` and RFC 8288 `Link` headers of
/// the page that came back. Lists read `keyset` take an opt-in `cursor` too (docs/api-reference.md,
/// Pagination): `cursor=` (empty) starts, and each full page's `Link: rel="next"` carries
/// the cursor of the next one; without it the paging is exactly limit/offset.
struct Pagination {
    static let maxOffset = 1_000_000_000
    let page: Page
    private let path: String
    private let otherParameters: [(name: String, value: String)]

    init(_ request: HTTPRequest, _ query: QueryReader, keyset: Bool = false) throws(APIError) {
        let limit = try query.integer("limit", default: 20, range: 1...100)
        let offset = try query.integer("offset", default: 0, range: 0...Pagination.maxOffset)
        let cursor = keyset ? try query.cursor("cursor") : nil
        if cursor != nil && offset != 0 { throw .validation([FieldError("offset", "cannot be combined with cursor")]) }
        page = Page(limit: limit, offset: offset, cursor: cursor)
        path = String(request.path)
        otherParameters = keyset ? query.nonPaging.filter { $0.name != "cursor" } : query.nonPaging
    }

    /// `exact` false: counting stopped at a bound, so `total` is a lower bound (said by
    /// `X-Total-Count-Exact: false`) and a full page means there may be a next one.
    /// `next`: in keyset mode, where the next page starts (nil on the last page).
    func headers(total: Int, exact: Bool = true, itemCount: Int = 0, next: PageCursor? = nil) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add("X-Total-Count", String(total))
        if !exact { headers.add("X-Total-Count-Exact", "false") }
        var links: [String] = []
        if page.cursor != nil {
            // Keyset mode only goes forward; a full page may be followed by an empty one.
            if let next { links.append("<\(url(["cursor=\(Pagination.encode(Pagination.text(next)))"]))>; rel=\"next\"") }
        } else {
            let hasNext = page.offset + page.limit < total || (!exact && itemCount == page.limit)
            if hasNext { links.append("<\(url(["offset=\(page.offset + page.limit)"]))>; rel=\"next\"") }
            if page.offset > 0 { links.append("<\(url(["offset=\(max(0, page.offset - page.limit))"]))>; rel=\"prev\"") }
        }
        if !links.isEmpty { headers.add("Link", links.joined(separator: ", ")) }
        return headers
    }

    private func url(_ position: [String]) -> String {
        var parts = otherParameters.map { "\(Pagination.encode($0.name))=\(Pagination.encode($0.value))" }
        parts.append("limit=\(page.limit)")
        parts += position
        return path + "?" + parts.joined(separator: "&")
    }

    private static func encode(_ s: String) -> String { PercentEncoding.encode(s) }

    /// A cursor as the API writes it: opaque to clients (`<created_at µs>_<id>` today).
    static func text(_ cursor: PageCursor) -> String {
        switch cursor {
        case .start: return ""
        case .after(let createdAt, let id): return "\(createdAt.microseconds)_\(id)"
        }
    }

    /// The cursor `text` wrote; nil for anything else.
    static func cursor(_ text: String) -> PageCursor? {
        if text.isEmpty { return .start }
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count <= 20, let micros = Int64(parts[0]), let id = PathID.parse(String(parts[1])) else { return nil }
        return .after(createdAt: Timestamp(microseconds: micros), id: id)
    }

    func response(_ items: [JSONValue], total: Int, exact: Bool = true, next: PageCursor? = nil) -> HTTPResponse {
        .json(200, .array(items), headers: headers(total: total, exact: exact, itemCount: items.count, next: next))
    }

    /// The page written straight to bytes by `write` (the busiest lists: no tree per row).
    func response<Item>(_ items: [Item], total: Int, exact: Bool = true, next: PageCursor? = nil, _ write: (Item, inout JSONWriter) -> Void) -> HTTPResponse {
        var writer = JSONWriter(capacity: 64 + 320 * items.count)
        writer.array(items) { write($1, &$0) }
        return .json(200, writer.finish(), headers: headers(total: total, exact: exact, itemCount: items.count, next: next))
    }

    /// A repository's page (its count's exactness and, in keyset mode, the next cursor), written by `write`.
    func response<Item>(_ result: PageResult<Item>, _ write: (Item, inout JSONWriter) -> Void) -> HTTPResponse {
        response(result.items, total: result.total, exact: result.totalIsExact, next: result.next, write)
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
