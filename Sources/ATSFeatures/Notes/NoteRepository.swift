import ATSDomain
import ATSPersistence

/// Staff notes on applications.
public protocol NoteRepository {
    func create(_ tenant: TenantID, application: ApplicationID, author: UserID, body: String) throws -> Note
    func find(_ tenant: TenantID, id: NoteID) throws -> Note?
    /// Oldest first (a note thread reads top to bottom).
    func list(_ tenant: TenantID, application: ApplicationID, page: Page) throws -> PageResult<Note>
    /// False when there was no such note.
    func delete(_ tenant: TenantID, id: NoteID) throws -> Bool
    /// Anonymization: the notes on `candidate`'s applications are deleted (their text is
    /// what was written about the person).
    func removePersonalData(_ tenant: TenantID, candidate: UserID) throws
}
