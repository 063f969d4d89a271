import ATSDomain
import ATSPersistence

/// The rules for notes (API.md, Notes): staff write and read them; only the author or an
/// admin deletes one. Candidates never see notes: 403 on their own application (they know
/// it exists), 404 on anyone else's.
public struct NoteService: Sendable {
    public init() {}

    /// The application, when `caller` is staff; otherwise the error a candidate gets.
    static func staffApplication(_ work: UnitOfWork, tenant: TenantID, caller: User, id: ApplicationID) throws -> Application {
        guard let application = try work.applications.find(tenant, id: id) else { throw DomainError.notFound("No such application.") }
        guard caller.role.isStaff else {
            if application.candidateID == caller.id { throw DomainError.forbidden("Candidates may not do this.") }
            throw DomainError.notFound("No such application.")
        }
        return application
    }

    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User, application: ApplicationID, page: Page) throws -> PageResult<Note> {
        _ = try Self.staffApplication(work, tenant: tenant, caller: caller, id: application)
        return try work.notes.list(tenant, application: application, page: page)
    }

    public func create(_ work: UnitOfWork, tenant: TenantID, caller: User, application: ApplicationID, body: String) throws -> Note {
        _ = try Self.staffApplication(work, tenant: tenant, caller: caller, id: application)
        let note = try work.notes.create(tenant, application: application, author: caller.id, body: body)
        try work.audit(tenant, .noteCreated, note.id, by: caller, .created(note.auditFields))
        return note
    }

    public func delete(_ work: UnitOfWork, tenant: TenantID, caller: User, id: NoteID) throws {
        // Candidates learn nothing about notes: 404, as for a note that does not exist.
        guard caller.role.isStaff, let note = try work.notes.find(tenant, id: id) else { throw DomainError.notFound("No such note.") }
        guard caller.role == .admin || note.authorID == caller.id else { throw DomainError.forbidden("Only the note's author or an admin may delete it.") }
        _ = try work.notes.delete(tenant, id: id)
        try work.audit(tenant, .noteDeleted, id, by: caller, .deleted(note.auditFields))
    }
}
