import ATSDomain
import ATSPersistence
import ATSSupport

/// Notes in portable SQL (both engines).
public struct SQLNoteRepository: NoteRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    private static let columns = "id, application_id, author_id, body, created_at"

    private static func note(_ row: SQLRow) throws(SQLError) -> Note {
        Note(id: NoteID(try row.int(0)), applicationID: ApplicationID(try row.int(1)), authorID: try row.optionalInt(2).map { UserID($0) },
             body: try row.text(3), createdAt: try row.timestamp(4))
    }

    public func create(_ tenant: TenantID, application: ApplicationID, author: UserID, body: String) throws -> Note {
        try tx.run(foreignKey: .notFound) { () throws(SQLError) -> Note in
            let now = tx.now()
            let id = try tx.insert(into: "notes", [("tenant_id", .int(tenant.rawValue)), ("application_id", .int(application.rawValue)),
                                                   ("author_id", .int(author.rawValue)), ("body", .text(body)), ("created_at", .timestamp(now))])
            return Note(id: NoteID(id), applicationID: application, authorID: author, body: body, createdAt: now)
        }
    }

    public func find(_ tenant: TenantID, id: NoteID) throws -> Note? {
        try tx.run { () throws(SQLError) -> Note? in
            try tx.connection.queryOne("SELECT \(Self.columns) FROM notes WHERE tenant_id = $1 AND id = $2", [.int(tenant.rawValue), .int(id.rawValue)])
                .map(Self.note)
        }
    }

    public func list(_ tenant: TenantID, application: ApplicationID, page: Page) throws -> PageResult<Note> {
        var condition = SQLStatement(" WHERE tenant_id = $1 AND application_id = $2")
        _ = condition.bind(.int(tenant.rawValue))
        _ = condition.bind(.int(application.rawValue))
        return try tx.page("notes", columns: Self.columns, where: condition, orderBy: "created_at, id", page: page, decode: Self.note)
    }

    public func delete(_ tenant: TenantID, id: NoteID) throws -> Bool {
        try tx.run { () throws(SQLError) -> Bool in
            try tx.connection.execute("DELETE FROM notes WHERE tenant_id = $1 AND id = $2", [.int(tenant.rawValue), .int(id.rawValue)]) > 0
        }
    }

    public func removePersonalData(_ tenant: TenantID, candidate: UserID) throws {
        _ = try tx.run { () throws(SQLError) -> Int in
            try tx.connection.execute("""
                DELETE FROM notes WHERE tenant_id = $1 AND application_id IN (SELECT id FROM applications WHERE tenant_id = $1 AND candidate_id = $2)
                """, [.int(tenant.rawValue), .int(candidate.rawValue)])
        }
    }
}
