import ATSDomain
import ATSPersistence

/// A document to store: its metadata as decided by the service, and its bytes.
public struct NewDocument: Sendable {
    public var candidateID: UserID
    public var kind: DocumentKind
    public var filename: String
    public var contentType: String
    public var sha256: String
    public var uploadedBy: UserID?
    /// The bytes (a slice of the request body: not copied before the database has them).
    public var content: ArraySlice<UInt8>

    public init(candidateID: UserID, kind: DocumentKind, filename: String, contentType: String, sha256: String, uploadedBy: UserID?,
                content: ArraySlice<UInt8>) {
        self.candidateID = candidateID
        self.kind = kind
        self.filename = filename
        self.contentType = contentType
        self.sha256 = sha256
        self.uploadedBy = uploadedBy
        self.content = content
    }
}

/// Candidates' documents, bytes included (the database holds them: one backup, one
/// transaction, one tenant isolation for all of a tenant's data).
public protocol DocumentRepository {
    func create(_ tenant: TenantID, _ document: NewDocument) throws -> Document
    func find(_ tenant: TenantID, id: DocumentID) throws -> Document?
    /// The stored bytes; nil when there is no such document.
    func content(_ tenant: TenantID, id: DocumentID) throws -> [UInt8]?
    /// Newest first.
    func list(_ tenant: TenantID, candidate: UserID, page: Page) throws -> PageResult<Document>
    /// Deletes the document and clears it as any application's résumé; false when there
    /// was no such document.
    func delete(_ tenant: TenantID, id: DocumentID) throws -> Bool
    /// Anonymization: every document of `candidate` goes.
    func deleteAll(_ tenant: TenantID, candidate: UserID) throws
    /// Merge: the duplicate's documents become the survivor's.
    func move(_ tenant: TenantID, from: UserID, to: UserID) throws
}
