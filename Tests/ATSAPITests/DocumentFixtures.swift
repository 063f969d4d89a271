import ATSTestSupport

/// Small but structurally real files of each accepted format (and some impostors).
enum DocumentFixtures {
    static let pdf = Array("%PDF-1.4\n%\u{E2}\u{E3}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".utf8)
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE]
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xFF, 0xD9]
    static let rtf = Array("{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Ada Lovelace, engineer.\\par}".utf8)
    static let text = Array("Ada Lovelace\nRésumé — analytical engines\n\tSkills: Swift, SQL\n".utf8)
    /// An OLE compound file header, then a directory sector naming the WordDocument stream.
    static let doc: [UInt8] = {
        var bytes: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)
        bytes += "WordDocument".utf8.flatMap { [$0, 0] } + [UInt8](repeating: 0, count: 488)
        return bytes
    }()
    static let docx = zip([("[Content_Types].xml", Array("<Types/>".utf8)), ("_rels/.rels", Array("<Relationships/>".utf8)),
                           ("word/document.xml", Array("<w:document/>".utf8))])
    static let odt = zip([("mimetype", Array("application/vnd.oasis.opendocument.text".utf8)), ("content.xml", Array("<office:document-content/>".utf8))])
    /// A ZIP that is neither: declared as DOCX it is refused.
    static let plainZip = zip([("notes.txt", Array("hello".utf8))])
    static let executable: [UInt8] = Array("MZ".utf8) + [0x90, 0, 3, 0, 0, 0, 4, 0] + [UInt8](repeating: 0xFF, count: 64)
    static let textWithNUL: [UInt8] = Array("plain".utf8) + [0] + Array("text".utf8)

    /// (bytes, declared type, stored type)
    static let accepted: [(name: String, bytes: [UInt8], declared: String, stored: String)] = [
        ("cv.pdf", pdf, "application/pdf", "application/pdf"),
        ("cv.docx", docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("cv.doc", doc, "application/msword", "application/msword"),
        ("cv.odt", odt, "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text"),
        ("cv.rtf", rtf, "text/rtf", "application/rtf"),
        ("cv.txt", text, "text/plain; charset=utf-8", "text/plain; charset=utf-8"),
        ("photo.png", png, "image/png", "image/png"),
        ("photo.jpg", jpeg, "image/jpeg", "image/jpeg"),
    ]

    /// A ZIP archive of stored (uncompressed) members, with a central directory.
    static func zip(_ members: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16 & 0xFFFF) }
        for (name, data) in members {
            let offset = out.count
            let crc = Int(crc32(data))
            let nameBytes = Array(name.utf8)
            let common = u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(crc) + u32(data.count) + u32(data.count) + u16(nameBytes.count) + u16(0)
            out += u32(0x0403_4B50) + common + nameBytes + data
            central += u32(0x0201_4B50) + u16(20) + common + u16(0) + u16(0) + u16(0) + u32(0) + u32(offset) + nameBytes
        }
        let directoryOffset = out.count
        out += central
        out += u32(0x0605_4B50) + u16(0) + u16(0) + u16(members.count) + u16(members.count) + u32(central.count) + u32(directoryOffset) + u16(0)
        return out
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A multipart/form-data body with the given parts (name, filename, type, bytes).
    static func multipart(_ parts: [(name: String, filename: String?, type: String?, bytes: [UInt8])], boundary: String = "----ats-test-boundary") -> [UInt8] {
        var body: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type = part.type { head += "Content-Type: \(type)\r\n" }
            body += Array((head + "\r\n").utf8) + part.bytes + Array("\r\n".utf8)
        }
        return body + Array("--\(boundary)--\r\n".utf8)
    }
}

extension APITestEnvironment {
    /// Sends `body` as bytes with `contentType` (nil: none).
    func send(_ method: String, _ path: String, body: [UInt8], contentType: String?, token: String?, tenant: String? = nil,
              headers: [(String, String)] = []) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let tenant { head += "X-Tenant: \(tenant)\r\n" }
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let client = try TestClient(port: port, host: address, timeout: 30)
        try client.send(Array((head + "\r\n").utf8) + body)
        return Response(wire: try client.readResponse(head: method == "HEAD"))
    }

    func upload(_ candidate: Int64, _ bytes: [UInt8], type: String?, token: String?, query: String = "", tenant: String? = nil) throws -> Response {
        try send("POST", "/api/candidates/\(candidate)/documents\(query)", body: bytes, contentType: type, token: token, tenant: tenant)
    }

    func uploadForm(_ candidate: Int64, _ parts: [(name: String, filename: String?, type: String?, bytes: [UInt8])], token: String?,
                    boundary: String = "----ats-test-boundary", contentType: String? = nil) throws -> Response {
        try send("POST", "/api/candidates/\(candidate)/documents", body: DocumentFixtures.multipart(parts, boundary: boundary),
                 contentType: contentType ?? "multipart/form-data; boundary=\(boundary)", token: token)
    }
}
