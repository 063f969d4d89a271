import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Staff notes on applications (API.md, Notes).
struct NoteRoutes: Sendable {
    let database: any Database
    let notes: NoteService

    func register(on router: inout Router) {
        router.add("GET", "/api/applications/{application_id}/notes", api: listNotes)
        router.add("POST", "/api/applications/{application_id}/notes", api: createNote)
        router.add("DELETE", "/api/notes/{note_id}", api: deleteNote)
    }

    /// Oldest first, paginated.
    func listNotes(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = ApplicationID(try context.pathID("application_id"))
        let pagination = try Pagination(request, try QueryReader(request))
        let result = try database.read(tenant: context.tenant.id) { work in
            try notes.list(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), application: id, page: pagination.page)
        }
        return pagination.response(result.items.map(Representation.note), total: result.total)
    }

    func createNote(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = ApplicationID(try context.pathID("application_id"))
        var body = try BodyReader(request)
        let text = body.string("body", required: true, length: 1...10_000) ?? nil
        try body.finish()
        let note = try database.transaction(tenant: context.tenant.id) { work in
            try notes.create(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), application: id, body: text ?? "")
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/notes/\(note.id)")
        return .json(201, Representation.note(note), headers: headers)
    }

    func deleteNote(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = NoteID(try context.pathID("note_id"))
        try database.transaction(tenant: context.tenant.id) { work in
            try notes.delete(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return HTTPResponse(status: 204)
    }
}
