import ATSAPI
import ATSAuth
import ATSDomain
import ATSFeatures
import ATSSupport
import ATSTestSupport
import Testing

@Suite("Documents: uploads, downloads, limits and access (both adapters)", .serialized, .timeLimit(.minutes(3)))
struct DocumentTests {
    struct World {
        let env: APITestEnvironment
        let admin: String
        let recruiter: String
        let candidateID: Int64
        let candidate: String
        let otherID: Int64
        let other: String
    }

    private func world(_ backend: Backend, configure: (inout APIConfiguration) -> Void = { _ in }) throws -> World {
        let env = try APITestEnvironment(backend, configure: configure)
        let (_, admin) = try env.signedIn("admin@d.io", role: .admin)
        let (_, recruiter) = try env.signedIn("rec@d.io", role: .recruiter)
        let (candidate, candidateToken) = try env.signedIn("cand@d.io", role: .candidate)
        let (other, otherToken) = try env.signedIn("other@d.io", role: .candidate)
        return World(env: env, admin: admin, recruiter: recruiter, candidateID: candidate.id.rawValue, candidate: candidateToken,
                     otherID: other.id.rawValue, other: otherToken)
    }

    @Test("each accepted format uploads raw and as multipart, and downloads byte for byte with the exact headers", arguments: Backend.allCases)
    func eachFormat(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        for file in DocumentFixtures.accepted {
            let raw = try env.upload(w.candidateID, file.bytes, type: file.declared, token: w.recruiter, query: "?filename=\(file.name)&kind=other")
            #expect(raw.status == 201, "\(file.name): \(raw.text)")
            let id = try #require(raw["id"]?.int)
            #expect(raw.header("Location") == "/api/documents/\(id)")
            #expect(raw["content_type"]?.string == file.stored && raw["filename"]?.string == file.name && raw["kind"]?.string == "other")
            #expect(raw["size"]?.int == Int64(file.bytes.count) && raw["candidate_id"]?.int == w.candidateID)
            #expect(raw["sha256"]?.string == Sodium.sha256Hex(file.bytes[...]) && raw["uploaded_by"]?.int != nil && raw["created_at"]?.string != nil)

            let download = try env.call("GET", "/api/documents/\(id)/content", token: w.candidate)
            #expect(download.status == 200 && download.wire.body == file.bytes, "\(file.name)")
            #expect(download.header("Content-Type") == file.stored)
            #expect(download.header("Content-Disposition") == "attachment; filename*=UTF-8''\(file.name)")
            #expect(download.header("X-Content-Type-Options") == "nosniff" && download.header("Cache-Control") == "private, no-store")
            #expect(download.header("ETag") == "\"\(Sodium.sha256Hex(file.bytes[...]))\"")

            let form = try env.uploadForm(w.candidateID, [("file", file.name, file.declared, file.bytes)], token: w.candidate)
            #expect(form.status == 201 && form["kind"]?.string == "resume" && form["content_type"]?.string == file.stored, "\(file.name): \(form.text)")
            // What a browser sends for a type it does not know.
            let octet = try env.uploadForm(w.candidateID, [("file", file.name, "application/octet-stream", file.bytes)], token: w.candidate)
            #expect(octet.status == 201 && octet["content_type"]?.string == file.stored)
        }
        let list = try env.call("GET", "/api/candidates/\(w.candidateID)/documents?limit=5", token: w.candidate)
        #expect(list.status == 200 && list.header("X-Total-Count") == "24" && list.items.count == 5)
        #expect(list.items.first?["filename"]?.string == "photo.jpg", "newest first")
    }

    @Test("a declared type that disagrees with the content, or content of no accepted format, is 415", arguments: Backend.allCases)
    func spoofed(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        let cases: [([UInt8], String?)] = [
            (DocumentFixtures.pdf, "image/png"), (DocumentFixtures.png, "application/pdf"), (DocumentFixtures.executable, "application/pdf"),
            (DocumentFixtures.executable, "application/octet-stream"), (DocumentFixtures.executable, nil), (DocumentFixtures.plainZip, docx),
            (DocumentFixtures.plainZip, "application/zip"), (DocumentFixtures.docx, "application/vnd.oasis.opendocument.text"),
            (DocumentFixtures.text, "application/json"), (DocumentFixtures.textWithNUL, "text/plain"), (DocumentFixtures.jpeg, "text/html"),
            (Array("<html><script>alert(1)</script></html>".utf8), "text/html"), (DocumentFixtures.rtf, "application/msword"),
            (Array(DocumentFixtures.doc.prefix(512)), "application/msword"),  // OLE without a WordDocument stream
        ]
        for (bytes, type) in cases {
            let raw = try env.upload(w.candidateID, bytes, type: type, token: w.recruiter)
            #expect(raw.status == 415, "\(type ?? "none"): \(raw.text)")
            #expect(raw.header("Content-Type") == "application/problem+json")
            let form = try env.uploadForm(w.candidateID, [("file", "x", type, bytes)], token: w.recruiter)
            #expect(form.status == 415, "multipart \(type ?? "none"): \(form.text)")
        }
        #expect(try env.upload(w.candidateID, DocumentFixtures.pdf, type: "application/pdf; charset", token: w.recruiter).status == 415)
        #expect(try env.call("GET", "/api/candidates/\(w.candidateID)/documents", token: w.admin).header("X-Total-Count") == "0")
    }

    @Test("413 from the head alone, ATS_MAX_UPLOAD on the upload route only, chunked uploads cut off mid-stream", arguments: Backend.allCases)
    func limits(_ backend: Backend) throws {
        let w = try world(backend) { $0.maxUpload = 2 << 20 }
        let env = w.env
        // Over ATS_MAX_BODY (1 MiB, the server default) but within ATS_MAX_UPLOAD.
        let big = DocumentFixtures.pdf + [UInt8](repeating: UInt8(ascii: "x"), count: 1_500_000)
        let accepted = try env.upload(w.candidateID, big, type: "application/pdf", token: w.recruiter)
        #expect(accepted.status == 201 && accepted["size"]?.int == Int64(big.count), "\(accepted.text)")
        let id = try #require(accepted["id"]?.int)
        #expect(try env.call("GET", "/api/documents/\(id)/content", token: w.recruiter).wire.body == big)

        // Only the head is sent: the 413 comes without the body (and with no token either).
        for (path, length) in [("/api/candidates/\(w.candidateID)/documents", (2 << 20) + 1), ("/api/jobs", 1_500_000)] {
            let client = try TestClient(port: env.port, timeout: 10)
            try client.send("POST \(path) HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(w.recruiter)\r\nContent-Type: application/pdf\r\nContent-Length: \(length)\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413, "\(path)")
            #expect(response.header("Content-Type") == "application/problem+json")
        }
        let client = try TestClient(port: env.port, timeout: 10)
        try client.send("POST /api/candidates/\(w.candidateID)/documents HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer \(w.recruiter)\r\n"
                        + "Content-Type: application/pdf\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = Array("100000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: "%"), count: 1 << 20) + Array("\r\n".utf8)
        try client.send(chunk)
        try client.send(chunk)
        try? client.send(chunk)  // the server may have answered and closed already
        #expect(try client.readResponse().status == 413)
        // An empty body is no file.
        #expect(try env.upload(w.candidateID, [], type: "application/pdf", token: w.recruiter).status == 422)
    }

    @Test("multipart edge cases: kind, names, quoting, missing and extra parts, malformed bodies", arguments: Backend.allCases)
    func multipart(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let pdf = DocumentFixtures.pdf
        let withKind = try env.uploadForm(w.candidateID, [("kind", nil, nil, Array("cover_letter".utf8)), ("file", "../..\\etc/pass\twd.pdf", "application/pdf", pdf)],
                                          token: w.recruiter)
        #expect(withKind.status == 201 && withKind["kind"]?.string == "cover_letter" && withKind["filename"]?.string == "....etcpasswd.pdf", "\(withKind.text)")
        // A quoted boundary with a space, filename* in UTF-8, preamble and epilogue.
        let body = Array("preamble\r\n--a b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fallback.pdf\"; filename*=UTF-8''%C3%A9t%C3%A9%20cv.pdf\r\n\r\n".utf8)
            + pdf + Array("\r\n--a b--\r\nepilogue".utf8)
        let quoted = try env.send("POST", "/api/candidates/\(w.candidateID)/documents", body: body, contentType: "multipart/form-data; boundary=\"a b\"", token: w.recruiter)
        #expect(quoted.status == 201 && quoted["filename"]?.string == "été cv.pdf", "\(quoted.text)")
        let id = try #require(quoted["id"]?.int)
        #expect(try env.call("GET", "/api/documents/\(id)/content", token: w.recruiter).header("Content-Disposition")
                == "attachment; filename*=UTF-8''%C3%A9t%C3%A9%20cv.pdf")
        let noName = try env.uploadForm(w.candidateID, [("file", nil, "application/pdf", pdf)], token: w.recruiter)
        #expect(noName.status == 201 && noName["filename"]?.string == "document")

        let invalid: [([(name: String, filename: String?, type: String?, bytes: [UInt8])], String)] = [
            ([("kind", nil, nil, Array("resume".utf8))], "file"),
            ([("file", "a.pdf", nil, pdf), ("file", "b.pdf", nil, pdf)], "file"),
            ([("file", "a.pdf", nil, pdf), ("colour", nil, nil, Array("red".utf8))], "colour"),
            ([("file", "a.pdf", nil, pdf), ("kind", nil, nil, Array("photo".utf8))], "kind"),
        ]
        for (parts, field) in invalid {
            let response = try env.uploadForm(w.candidateID, parts, token: w.recruiter)
            #expect(response.status == 422, "\(field): \(response.text)")
            #expect(response.text.contains("\"\(field)\""), "\(response.text)")
        }
        let malformed: [([UInt8], String)] = [
            (Array("--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n".utf8) + pdf, "multipart/form-data; boundary=b"),  // never closed
            (DocumentFixtures.multipart([("file", "a.pdf", nil, pdf)], boundary: "other"), "multipart/form-data; boundary=b"),
            (DocumentFixtures.multipart([("file", "a.pdf", nil, pdf)]), "multipart/form-data"),  // no boundary
            (DocumentFixtures.multipart([("file", "a.pdf", nil, pdf)]), "multipart/form-data; boundary=\"unterminated"),
        ]
        for (bytes, type) in malformed {
            let response = try env.send("POST", "/api/candidates/\(w.candidateID)/documents", body: bytes, contentType: type, token: w.recruiter)
            #expect([400, 415].contains(response.status), "\(type): \(response.status) \(response.text)")
            #expect(response.header("Content-Type") == "application/problem+json")
        }
        #expect(try env.upload(w.candidateID, pdf, type: "application/pdf", token: w.recruiter, query: "?kind=photo").status == 422)
    }

    @Test("staff reach every candidate's documents, a candidate only their own; another tenant sees nothing", arguments: Backend.allCases)
    func access(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let pdf = DocumentFixtures.pdf
        let own = try env.upload(w.candidateID, pdf, type: "application/pdf", token: w.candidate, query: "?filename=mine.pdf")
        #expect(own.status == 201 && own["uploaded_by"]?.int == w.candidateID)
        let id = try #require(own["id"]?.int)
        let byStaff = try #require(try env.upload(w.otherID, pdf, type: "application/pdf", token: w.recruiter)["id"]?.int)

        // The other candidate: 404 everywhere on someone else's.
        #expect(try env.upload(w.candidateID, pdf, type: "application/pdf", token: w.other).status == 404)
        #expect(try env.call("GET", "/api/candidates/\(w.candidateID)/documents", token: w.other).status == 404)
        for path in ["/api/documents/\(id)", "/api/documents/\(id)/content"] {
            #expect(try env.call("GET", path, token: w.other).status == 404)
            #expect(try env.call("GET", path, token: w.candidate).status == 200)
            #expect(try env.call("GET", path, token: w.recruiter).status == 200)
            #expect(try env.call("GET", path).status == 401)
        }
        #expect(try env.call("DELETE", "/api/documents/\(id)", token: w.other).status == 404)
        #expect(try env.call("GET", "/api/documents/\(byStaff)", token: w.candidate).status == 404)
        #expect(try env.call("GET", "/api/documents/\(byStaff)", token: w.other).status == 200, "uploaded for them by staff")
        #expect(try env.upload(w.candidateID, pdf, type: "application/pdf", token: nil).status == 401)
        // Staff users are not candidates: no documents of theirs.
        let adminID = try #require(try env.call("GET", "/api/auth/me", token: w.admin)["id"]?.int)
        #expect(try env.upload(adminID, pdf, type: "application/pdf", token: w.admin).status == 404)
        #expect(try env.call("GET", "/api/documents/abc", token: w.admin).status == 404)

        // ETag and If-None-Match; HEAD.
        let download = try env.call("GET", "/api/documents/\(id)/content", token: w.candidate)
        let etag = try #require(download.header("ETag"))
        let notModified = try env.call("GET", "/api/documents/\(id)/content", token: w.candidate, headers: [("If-None-Match", "\"zzz\", \(etag)")])
        #expect(notModified.status == 304 && notModified.wire.body.isEmpty && notModified.header("ETag") == etag)
        #expect(try env.call("GET", "/api/documents/\(id)/content", token: w.candidate, headers: [("If-None-Match", "\"other\"")]).status == 200)
        let head = try env.call("HEAD", "/api/documents/\(id)/content", token: w.candidate)
        #expect(head.status == 200 && head.header("Content-Length") == String(pdf.count))

        // Another tenant: the same ids are 404, its staff see nothing of ours.
        try env.createTenant("acme")
        let (_, acmeAdmin) = try env.signedIn("boss@acme.io", role: .admin, tenant: "acme")
        #expect(try env.call("GET", "/api/documents/\(id)", token: acmeAdmin, tenant: "acme").status == 404)
        #expect(try env.call("GET", "/api/documents/\(id)/content", token: acmeAdmin, tenant: "acme").status == 404)
        #expect(try env.call("DELETE", "/api/documents/\(id)", token: acmeAdmin, tenant: "acme").status == 404)
        #expect(try env.upload(w.candidateID, pdf, type: "application/pdf", token: acmeAdmin, tenant: "acme").status == 404)
        #expect(try env.call("GET", "/api/documents/\(id)", token: w.candidate, tenant: "acme").status == 401)

        // The owner deletes; then it is gone.
        #expect(try env.call("DELETE", "/api/documents/\(id)", token: w.candidate).status == 204)
        #expect(try env.call("GET", "/api/documents/\(id)", token: w.admin).status == 404)
        #expect(try env.call("DELETE", "/api/documents/\(id)", token: w.admin).status == 404)
        #expect(try env.call("DELETE", "/api/documents/\(byStaff)", token: w.recruiter).status == 204)

        // The audit log has the uploads and deletions, with metadata only.
        let audit = try env.call("GET", "/api/audit-events?resource_type=document", token: w.admin)
        let actions = audit.items.compactMap { $0["action"]?.string }
        #expect(actions.filter { $0 == "document.uploaded" }.count == 2 && actions.filter { $0 == "document.deleted" }.count == 2, "\(actions)")
        let uploaded = audit.items.first { $0["action"] == .string("document.uploaded") && $0["resource_id"] == .int(id) }
        #expect(uploaded?["changes"]?["filename"]?["new"] == .string("mine.pdf") && uploaded?["changes"]?["content"] == nil)
    }

    @Test("resume_document_id on both apply routes: one of that candidate's documents; a deleted one is cleared", arguments: Backend.allCases)
    func resumeDocument(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let job = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"Engineer","company":"Acme"}"#, token: w.recruiter)["id"]?.int)
        let other = try #require(try env.call("POST", "/api/jobs", body: #"{"title":"Designer","company":"Acme"}"#, token: w.recruiter)["id"]?.int)
        let mine = try #require(try env.upload(w.candidateID, DocumentFixtures.pdf, type: "application/pdf", token: w.candidate)["id"]?.int)
        let theirs = try #require(try env.upload(w.otherID, DocumentFixtures.pdf, type: "application/pdf", token: w.other)["id"]?.int)

        let refused = try env.call("POST", "/api/jobs/\(job)/apply", body: #"{"resume_document_id":\#(theirs)}"#, token: w.candidate)
        #expect(refused.status == 422 && refused.text.contains("resume_document_id"))
        #expect(try env.call("POST", "/api/jobs/\(job)/apply", body: #"{"resume_document_id":999999}"#, token: w.candidate).status == 422)
        #expect(try env.call("POST", "/api/jobs/\(job)/apply", body: #"{"resume_document_id":"x"}"#, token: w.candidate).status == 422)
        let applied = try env.call("POST", "/api/jobs/\(job)/apply", body: #"{"resume_document_id":\#(mine)}"#, token: w.candidate)
        #expect(applied.status == 201 && applied["resume_document_id"]?.int == mine, "\(applied.text)")
        let application = try #require(applied["id"]?.int)

        let staffBody = #"{"candidate_id":\#(w.otherID),"resume_document_id":\#(mine)}"#
        #expect(try env.call("POST", "/api/jobs/\(other)/applications", body: staffBody, token: w.recruiter).status == 422)
        let added = try env.call("POST", "/api/jobs/\(other)/applications", body: #"{"candidate_id":\#(w.otherID),"resume_document_id":\#(theirs)}"#,
                                 token: w.recruiter)
        #expect(added.status == 201 && added["resume_document_id"]?.int == theirs, "\(added.text)")

        #expect(try env.call("DELETE", "/api/documents/\(mine)", token: w.candidate).status == 204)
        let after = try env.call("GET", "/api/applications/\(application)", token: w.candidate)
        #expect(after.status == 200 && after["resume_document_id"] == .null)
    }

    @Test("exports list documents with their download paths; anonymization deletes them; a merge moves them", arguments: Backend.allCases)
    func privacy(_ backend: Backend) throws {
        let w = try world(backend)
        let env = w.env
        let id = try #require(try env.upload(w.candidateID, DocumentFixtures.pdf, type: "application/pdf", token: w.candidate, query: "?filename=cv.pdf")["id"]?.int)
        for (path, token) in [("/api/candidates/\(w.candidateID)/export", w.admin), ("/api/auth/me/export", w.candidate)] {
            let export = try env.call("GET", path, token: token)
            #expect(export.status == 200)
            guard case .array(let documents)? = export["documents"] else {
                Issue.record("no documents in \(path)")
                continue
            }
            #expect(documents.count == 1 && documents.first?["download_path"]?.string == "/api/documents/\(id)/content"
                    && documents.first?["filename"]?.string == "cv.pdf")
        }
        // Merge: the duplicate's documents go to the survivor before it is anonymized.
        let moved = try #require(try env.upload(w.otherID, DocumentFixtures.png, type: "image/png", token: w.other)["id"]?.int)
        #expect(try env.call("POST", "/api/candidates/\(w.candidateID)/merge", body: #"{"duplicate_id":\#(w.otherID)}"#, token: w.recruiter).status == 200)
        #expect(try env.call("GET", "/api/documents/\(moved)", token: w.recruiter)["candidate_id"]?.int == w.candidateID)

        #expect(try env.call("POST", "/api/candidates/\(w.candidateID)/anonymize", token: w.admin).status == 200)
        #expect(try env.call("GET", "/api/documents/\(id)", token: w.admin).status == 404)
        #expect(try env.call("GET", "/api/documents/\(moved)", token: w.admin).status == 404)
        #expect(try env.call("GET", "/api/candidates/\(w.candidateID)/documents", token: w.admin).header("X-Total-Count") == "0")
        #expect(try env.upload(w.candidateID, DocumentFixtures.pdf, type: "application/pdf", token: w.admin).status == 409)
    }

    @Test("ats tenant export carries each document's bytes as base64; tenant delete removes them", arguments: Backend.allCases)
    func tenantExportAndDelete(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        try env.createTenant("acme")
        let (_, staff) = try env.signedIn("boss@acme.io", role: .admin, tenant: "acme")
        let candidate = try env.user("ada@acme.io", role: .candidate, tenant: "acme")
        let response = try env.send("POST", "/api/candidates/\(candidate.id)/documents", body: DocumentFixtures.png, contentType: "image/png",
                                    token: staff, tenant: "acme")
        #expect(response.status == 201)
        let export = try TenantService().export(env.database.database, slug: "acme")
        guard case .array(let rows)? = export["documents"], let row = rows.first else {
            Issue.record("no documents in the tenant export")
            return
        }
        #expect(row["content"]?.string == Base64.encode(DocumentFixtures.png) && row["size"]?.int == Int64(DocumentFixtures.png.count))
        try TenantService().delete(env.database.database, slug: "acme", confirmation: "acme", defaultTenant: "default")
        // The tenant and its users are gone with the documents (TenantData's contract test checks every table is emptied).
        #expect([401, 404].contains(try env.call("GET", "/api/documents/\(response["id"]?.int ?? 0)/content", token: staff, tenant: "acme").status))
    }
}
