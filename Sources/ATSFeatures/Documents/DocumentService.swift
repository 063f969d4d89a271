import ATSAuth
import ATSDomain
import ATSPersistence
import ATSSupport

/// An upload as the route read it: the bytes, and what the client said about them.
public struct DocumentUpload: Sendable {
    public var kind: DocumentKind
    /// The client's file name (made a display name here).
    public var filename: String?
    /// The declared media type, lower-case without parameters; nil when none was given.
    public var declaredType: String?
    public var content: ArraySlice<UInt8>

    public init(kind: DocumentKind, filename: String?, declaredType: String?, content: ArraySlice<UInt8>) {
        self.kind = kind
        self.filename = filename
        self.declaredType = declaredType
        self.content = content
    }
}

/// The rules for documents (API.md, Documents): staff reach every candidate's, a
/// candidate only their own (anyone else's is 404, as if it did not exist). The format
/// is what the bytes are, never what the client says; a declaration that disagrees is
/// refused (415).
public struct DocumentService: Sendable {
    public init() {}

    /// The candidate whose documents `caller` wants, when they may.
    private func candidate(_ work: UnitOfWork, tenant: TenantID, caller: User, id: UserID) throws -> User {
        if !caller.role.isStaff && caller.id != id { throw DomainError.notFound("No such candidate.") }
        guard let person = try work.users.find(tenant, id: id), person.role == .candidate else { throw DomainError.notFound("No such candidate.") }
        return person
    }

    /// The document, when `caller` may reach it (404 otherwise).
    public func find(_ work: UnitOfWork, tenant: TenantID, caller: User, id: DocumentID) throws -> Document {
        guard let document = try work.documents.find(tenant, id: id), caller.role.isStaff || document.candidateID == caller.id else {
            throw DomainError.notFound("No such document.")
        }
        return document
    }

    public func upload(_ work: UnitOfWork, tenant: TenantID, caller: User, candidate id: UserID, _ upload: DocumentUpload) throws -> Document {
        let person = try candidate(work, tenant: tenant, caller: caller, id: id)
        guard person.anonymizedAt == nil else { throw DomainError.conflict("The candidate was anonymized.") }
        guard !upload.content.isEmpty else { throw DomainError.invalid(field: "file", "is empty") }
        guard let format = DocumentFormat.recognize(upload.content) else {
            throw DomainError.unsupportedContent("The file is not a PDF, DOCX, DOC, ODT, RTF, plain text (UTF-8), PNG or JPEG document.")
        }
        guard format.agrees(withDeclared: upload.declaredType) else {
            throw DomainError.unsupportedContent("The file was declared as \(upload.declaredType ?? "?") but its content is \(format.contentType).")
        }
        let document = try work.documents.create(tenant, NewDocument(candidateID: person.id, kind: upload.kind, filename: Document.displayName(upload.filename),
                                                                     contentType: format.contentType, sha256: Sodium.sha256Hex(upload.content),
                                                                     uploadedBy: caller.id, content: upload.content))
        try work.audit(tenant, .documentUploaded, document.id, by: caller, .created(document.auditFields))
        return document
    }

    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User, candidate id: UserID, page: Page) throws -> PageResult<Document> {
        _ = try candidate(work, tenant: tenant, caller: caller, id: id)
        return try work.documents.list(tenant, candidate: id, page: page)
    }

    /// The metadata and the bytes, for a download; no bytes (and none read) when the
    /// client already has them (`isCurrent`: its `If-None-Match` names this document's hash).
    public func download(_ work: UnitOfWork, tenant: TenantID, caller: User, id: DocumentID,
                         isCurrent: (Document) -> Bool = { _ in false }) throws -> (Document, [UInt8]?) {
        let document = try find(work, tenant: tenant, caller: caller, id: id)
        if isCurrent(document) { return (document, nil) }
        guard let bytes = try work.documents.content(tenant, id: id) else { throw DomainError.notFound("No such document.") }
        return (document, bytes)
    }

    public func delete(_ work: UnitOfWork, tenant: TenantID, caller: User, id: DocumentID) throws {
        let document = try find(work, tenant: tenant, caller: caller, id: id)
        _ = try work.documents.delete(tenant, id: document.id)
        try work.audit(tenant, .documentDeleted, document.id, by: caller, .deleted(document.auditFields))
    }

    /// Whether `id` names one of `candidate`'s documents (an application's résumé).
    public static func requireOwn(_ work: UnitOfWork, tenant: TenantID, candidate: UserID, id: Int64) throws {
        guard let document = try work.documents.find(tenant, id: DocumentID(id)), document.candidateID == candidate else {
            throw DomainError.invalid(field: "resume_document_id", "is not one of the candidate's documents")
        }
    }
}
