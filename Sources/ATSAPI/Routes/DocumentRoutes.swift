import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Candidates' documents (API.md, Documents): upload as `multipart/form-data` or as the
/// raw body, list, metadata, download and delete.
struct DocumentRoutes: Sendable {
    let database: any Database
    let documents: DocumentService
    /// `ATS_MAX_UPLOAD`: the upload route's body limit.
    let maxUpload: Int

    func register(on router: inout Router) {
        router.add("POST", "/api/candidates/{candidate_id}/documents", maxBody: maxUpload, api: upload)
        router.add("GET", "/api/candidates/{candidate_id}/documents", api: list)
        router.add("GET", "/api/documents/{document_id}", api: metadata)
        router.add("GET", "/api/documents/{document_id}/content", api: content)
        router.add("DELETE", "/api/documents/{document_id}", api: delete)
    }

    func upload(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let candidate = UserID(try context.pathID("candidate_id"))
        let upload = try Self.readUpload(request)
        let document = try database.transaction(tenant: context.tenant.id) { work in
            try documents.upload(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), candidate: candidate, upload)
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/documents/\(document.id)")
        return .json(201, Representation.document(document), headers: headers)
    }

    /// The upload in either form: `multipart/form-data` with a `file` part (and an
    /// optional `kind` part), or the raw file with `?filename=&kind=`. The file stays a
    /// slice of the request body.
    static func readUpload(_ request: HTTPRequest) throws -> DocumentUpload {
        let query = try QueryReader(request)
        let contentType = request.headers.values("Content-Type")
        guard contentType.count <= 1 else { throw APIError.badRequest("The request has more than one Content-Type.") }
        let declared = contentType.first.map { HeaderParameters($0) }
        if let declared, declared == nil { throw APIError.unsupportedMediaType("The Content-Type is malformed.") }
        guard let type = declared??.value, type == "multipart/form-data", let header = contentType.first else {
            let kind = try query.choice("kind", DocumentKind.self) ?? .resume
            return DocumentUpload(kind: kind, filename: query.string("filename"), declaredType: declared??.value, content: request.body[...])
        }
        guard let boundary = MultipartParser.boundary(contentType: header) else {
            throw APIError.badRequest("multipart/form-data needs a boundary parameter of 1 to 70 valid characters.")
        }
        let parts: [MultipartPart]
        do {
            parts = try MultipartParser.parse(request.body, boundary: boundary)
        } catch {
            throw APIError.badRequest("The multipart body is malformed: \(error.description).")
        }
        var errors: [FieldError] = []
        let files = parts.filter { $0.name == "file" }
        if files.isEmpty { errors.append(FieldError("file", "is required")) }
        if files.count > 1 { errors.append(FieldError("file", "must be given once")) }
        for part in parts where part.name != "file" && part.name != "kind" { errors.append(FieldError(part.name, "is not a known field")) }
        var kind = DocumentKind.resume
        let kinds = parts.filter { $0.name == "kind" }
        if kinds.count > 1 { errors.append(FieldError("kind", "must be given once")) }
        if let part = kinds.first {
            let text = String(decoding: request.body[part.content], as: UTF8.self)
            if let value = DocumentKind(rawValue: text) { kind = value } else {
                errors.append(FieldError("kind", "must be one of \(DocumentKind.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        guard errors.isEmpty, let file = files.first else { throw APIError.validation(errors) }
        var partType: String?
        if let text = file.contentType {
            guard let parsed = HeaderParameters(text) else { throw APIError.unsupportedMediaType("The file part's Content-Type is malformed.") }
            partType = parsed.value
        }
        return DocumentUpload(kind: kind, filename: file.filename, declaredType: partType, content: request.body[file.content])
    }

    func list(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let candidate = UserID(try context.pathID("candidate_id"))
        let pagination = try Pagination(request, try QueryReader(request))
        let result = try database.read(tenant: context.tenant.id) { work in
            try documents.list(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), candidate: candidate, page: pagination.page)
        }
        return pagination.response(result.items.map { Representation.document($0) }, total: result.total)
    }

    func metadata(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = DocumentID(try context.pathID("document_id"))
        let document = try database.read(tenant: context.tenant.id) { work in
            try documents.find(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return .json(200, Representation.document(document))
    }

    /// The bytes with the stored type, as an attachment that the browser must not sniff
    /// or cache; `If-None-Match` with the ETag (the sha256) is 304 without reading them.
    func content(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = DocumentID(try context.pathID("document_id"))
        let ifNoneMatch = request.headers.values("If-None-Match")
        let (document, bytes) = try database.read(tenant: context.tenant.id) { work in
            try documents.download(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id) {
                Self.matches(ifNoneMatch, etag: $0.sha256)
            }
        }
        var headers = HTTPHeaders()
        headers.add("ETag", "\"\(document.sha256)\"")
        headers.add("Cache-Control", "private, no-store")
        headers.add("X-Content-Type-Options", "nosniff")
        guard let bytes else { return HTTPResponse(status: 304, headers: headers) }
        headers.add("Content-Type", document.contentType)
        headers.add("Content-Disposition", "attachment; filename*=UTF-8''" + Self.percentEncoded(document.filename))
        return HTTPResponse(status: 200, headers: headers, body: bytes)
    }

    func delete(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = DocumentID(try context.pathID("document_id"))
        try database.transaction(tenant: context.tenant.id) { work in
            try documents.delete(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return HTTPResponse(status: 204)
    }

    /// RFC 9110 §13.1.2: `*`, or a list of entity tags compared weakly.
    static func matches(_ fields: [String], etag: String) -> Bool {
        for field in fields {
            for item in field.split(separator: ",") {
                var tag = item.trimming(" ")
                if tag == "*" { return true }
                if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
                if tag == "\"\(etag)\"" { return true }
            }
        }
        return false
    }

    /// RFC 8187 value-chars: attr-char as is, every other byte as %XX.
    static func percentEncoded(_ text: String) -> String {
        PercentEncoding.encode(text) { byte in PercentEncoding.isUnreserved(byte) || Array("!#$&+^`|".utf8).contains(byte) }
    }
}
