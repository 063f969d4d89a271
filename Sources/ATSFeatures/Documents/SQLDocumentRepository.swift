import ATSDomain
import ATSPersistence
import ATSSupport

/// Documents in portable SQL (bytea on PostgreSQL, BLOB on SQLite). Metadata queries
/// never name `content`, so listing never reads a file.
public struct SQLDocumentRepository: DocumentRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    private static let columns = "id, candidate_id, kind, filename, content_type, size, sha256, uploaded_by, created_at"

    private static func document(_ row: SQLRow) throws(SQLError) -> Document {
        guard let kind = DocumentKind(rawValue: try row.text(2)) else { throw .decoding("unknown document kind") }
        return Document(id: DocumentID(try row.int(0)), candidateID: UserID(try row.int(1)), kind: kind, filename: try row.text(3),
                        contentType: try row.text(4), size: try row.int(5), sha256: try row.text(6), uploadedBy: try row.optionalInt(7).map { UserID($0) },
                        createdAt: try row.timestamp(8))
    }

    public func create(_ tenant: TenantID, _ new: NewDocument) throws -> Document {
        try tx.run(foreignKey: .notFound) { () throws(SQLError) -> Document in
            let now = tx.now()
            let size = Int64(new.content.count)
            let id = try tx.insert(into: "documents", [
                ("tenant_id", .int(tenant.rawValue)), ("candidate_id", .int(new.candidateID.rawValue)), ("kind", .text(new.kind.rawValue)),
                ("filename", .text(new.filename)), ("content_type", .text(new.contentType)), ("size", .int(size)), ("sha256", .text(new.sha256)),
                ("uploaded_by", new.uploadedBy.map { .int($0.rawValue) } ?? .null), ("created_at", .timestamp(now)), ("content", .blob(new.content)),
            ])
            return Document(id: DocumentID(id), candidateID: new.candidateID, kind: new.kind, filename: new.filename, contentType: new.contentType,
                            size: size, sha256: new.sha256, uploadedBy: new.uploadedBy, createdAt: now)
        }
    }

    public func find(_ tenant: TenantID, id: DocumentID) throws -> Document? {
        try tx.run { () throws(SQLError) -> Document? in
            try tx.connection.queryOne("SELECT \(Self.columns) FROM documents WHERE tenant_id = $1 AND id = $2", [.int(tenant.rawValue), .int(id.rawValue)])
                .map(Self.document)
        }
    }

    public func content(_ tenant: TenantID, id: DocumentID) throws -> [UInt8]? {
        try tx.run { () throws(SQLError) -> [UInt8]? in
            try tx.connection.queryBytes("SELECT content FROM documents WHERE tenant_id = $1 AND id = $2", [.int(tenant.rawValue), .int(id.rawValue)])
        }
    }

    public func list(_ tenant: TenantID, candidate: UserID, page: Page) throws -> PageResult<Document> {
        var condition = SQLStatement(" WHERE tenant_id = $1 AND candidate_id = $2")
        _ = condition.bind(.int(tenant.rawValue))
        _ = condition.bind(.int(candidate.rawValue))
        return try tx.page("documents", columns: Self.columns, where: condition, orderBy: "created_at DESC, id DESC", page: page, decode: Self.document)
    }

    public func delete(_ tenant: TenantID, id: DocumentID) throws -> Bool {
        try tx.run { () throws(SQLError) -> Bool in
            try tx.connection.execute("UPDATE applications SET resume_document_id = NULL WHERE tenant_id = $1 AND resume_document_id = $2",
                                      [.int(tenant.rawValue), .int(id.rawValue)])
            return try tx.connection.execute("DELETE FROM documents WHERE tenant_id = $1 AND id = $2", [.int(tenant.rawValue), .int(id.rawValue)]) > 0
        }
    }

    public func deleteAll(_ tenant: TenantID, candidate: UserID) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                UPDATE applications SET resume_document_id = NULL
                WHERE tenant_id = $1 AND resume_document_id IN (SELECT id FROM documents WHERE tenant_id = $1 AND candidate_id = $2)
                """, [.int(tenant.rawValue), .int(candidate.rawValue)])
            return try tx.connection.execute("DELETE FROM documents WHERE tenant_id = $1 AND candidate_id = $2", [.int(tenant.rawValue), .int(candidate.rawValue)])
        }
    }

    public func move(_ tenant: TenantID, from: UserID, to: UserID) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("UPDATE documents SET candidate_id = $3 WHERE tenant_id = $1 AND candidate_id = $2",
                                      [.int(tenant.rawValue), .int(from.rawValue), .int(to.rawValue)])
        }
    }
}
