import ATSSupport

public typealias DocumentID = ID<Document>

/// What a document is for (API.md, Documents).
public enum DocumentKind: String, Sendable, CaseIterable {
    case resume
    case coverLetter = "cover_letter"
    case other
}

/// A candidate's uploaded file, without its bytes (those are read only for a download).
public struct Document: Sendable, Equatable {
    public var id: DocumentID
    public var candidateID: UserID
    public var kind: DocumentKind
    public var filename: String
    public var contentType: String
    public var size: Int64
    /// Lower-case hex SHA-256 of the content (also the download's ETag).
    public var sha256: String
    public var uploadedBy: UserID?
    public var createdAt: Timestamp

    public init(id: DocumentID, candidateID: UserID, kind: DocumentKind, filename: String, contentType: String, size: Int64, sha256: String,
                uploadedBy: UserID?, createdAt: Timestamp) {
        self.id = id
        self.candidateID = candidateID
        self.kind = kind
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.sha256 = sha256
        self.uploadedBy = uploadedBy
        self.createdAt = createdAt
    }

    /// A display name from what the client sent: control characters and path separators
    /// removed, trimmed, at most 255 characters; "document" when nothing is left.
    public static func displayName(_ name: String?) -> String {
        let kept = (name ?? "").unicodeScalars.filter { scalar in
            !(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "/" || scalar == "\\"
              || scalar.properties.generalCategory == .format && scalar.value >= 0x200E)
        }
        var scalars = String.UnicodeScalarView(kept)
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        var text = String(scalars)
        if text.count > 255 { text = String(text.prefix(255)) }
        return text.isEmpty || text == "." || text == ".." ? "document" : text
    }
}

/// The file formats a document may have, recognized by their bytes (magic numbers and,
/// for the ZIP and OLE containers, their structure), never by the name or the declared
/// type: a declared type that disagrees with the content is refused.
public enum DocumentFormat: String, Sendable, CaseIterable {
    case pdf, docx, doc, odt, rtf, text, png, jpeg

    /// The Content-Type stored and served for this format.
    public var contentType: String {
        switch self {
        case .pdf: return "application/pdf"
        case .docx: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .doc: return "application/msword"
        case .odt: return "application/vnd.oasis.opendocument.text"
        case .rtf: return "application/rtf"
        case .text: return "text/plain; charset=utf-8"
        case .png: return "image/png"
        case .jpeg: return "image/jpeg"
        }
    }

    /// Media types a client may declare for this format (lower-case, without parameters).
    var declaredTypes: Set<String> {
        switch self {
        case .pdf: return ["application/pdf", "application/x-pdf"]
        case .docx: return ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
        case .doc: return ["application/msword"]
        case .odt: return ["application/vnd.oasis.opendocument.text"]
        case .rtf: return ["application/rtf", "text/rtf"]
        case .text: return ["text/plain"]
        case .png: return ["image/png"]
        case .jpeg: return ["image/jpeg", "image/jpg", "image/pjpeg"]
        }
    }

    /// Whether a client's declared media type (lower-case, parameters removed) agrees
    /// with this content. No declaration, or `application/octet-stream` (what a browser
    /// sends when it does not know), says nothing and agrees.
    public func agrees(withDeclared type: String?) -> Bool {
        guard let type, type != "application/octet-stream" else { return true }
        return declaredTypes.contains(type)
    }

    /// The format of `bytes`, or nil when it is none of the accepted ones.
    public static func recognize(_ bytes: ArraySlice<UInt8>) -> DocumentFormat? {
        let b = bytes
        func starts(_ prefix: [UInt8]) -> Bool { b.starts(with: prefix) }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("{\\rtf".utf8)) { return .rtf }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            // An OLE compound file; a Word document has a stream named "WordDocument"
            // (its directory entry holds the name in UTF-16LE).
            let name: [UInt8] = "WordDocument".utf8.flatMap { (b: UInt8) -> [UInt8] in [b, 0] }
            return ZipDirectory.contains(name, in: b) ? .doc : nil
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return ZipDirectory(b).flatMap(zipFormat) }
        return isPlainText(b) ? .text : nil
    }

    private static func zipFormat(_ zip: ZipDirectory) -> DocumentFormat? {
        // ODF: the first member is an uncompressed "mimetype" holding the type.
        if zip.firstMemberName == "mimetype", zip.firstMemberStoredContent == Array("application/vnd.oasis.opendocument.text".utf8) { return .odt }
        if zip.names.contains("word/document.xml") && zip.names.contains("[Content_Types].xml") { return .docx }
        return nil
    }

    /// UTF-8 without NUL or other control characters than tab, line ends and form feed.
    static func isPlainText(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return false }
        let controlsOK = bytes.allSatisfy { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0C }
        guard controlsOK, !bytes.contains(0x7F) else { return false }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}

/// The names in a ZIP archive's central directory (read from the end-of-central-directory
/// record, with every offset checked against the bytes: a malformed archive is nil).
struct ZipDirectory {
    var names: Set<String> = []
    var firstMemberName: String?
    var firstMemberStoredContent: [UInt8]?

    init?(_ bytes: ArraySlice<UInt8>) {
        // Offsets are from the archive's start; `bytes` is a slice (not copied).
        let b = bytes
        let base = bytes.startIndex
        func byte(_ i: Int) -> UInt8 { b[base + i] }
        func u16(_ i: Int) -> Int? { i >= 0 && i + 2 <= b.count ? Int(byte(i)) | Int(byte(i + 1)) << 8 : nil }
        func u32(_ i: Int) -> Int? {
            guard let low = u16(i), let high = u16(i + 2) else { return nil }
            return low | high << 16
        }
        // The end record is in the last 22 + 65535 bytes (a comment may follow it).
        var eocd: Int?
        var i = b.count - 22
        while i >= max(0, b.count - 22 - 65_535) {
            if byte(i) == 0x50, byte(i + 1) == 0x4B, byte(i + 2) == 0x05, byte(i + 3) == 0x06 { eocd = i; break }
            i -= 1
        }
        guard let end = eocd, let count = u16(end + 10), let directoryOffset = u32(end + 16), count <= 10_000 else { return nil }
        var p = directoryOffset
        for _ in 0..<count {
            guard u32(p) == 0x0201_4B50, let nameLength = u16(p + 28), let extraLength = u16(p + 30), let commentLength = u16(p + 32),
                  p + 46 + nameLength <= b.count else { return nil }
            names.insert(String(decoding: b[(base + p + 46)..<(base + p + 46 + nameLength)], as: UTF8.self))
            p += 46 + nameLength + extraLength + commentLength
        }
        // The first local header (ODF's "mimetype" must be first and stored).
        if u32(0) == 0x0403_4B50, let method = u16(8), let size = u32(18), let nameLength = u16(26), let extraLength = u16(28),
           30 + nameLength <= b.count {
            firstMemberName = String(decoding: b[(base + 30)..<(base + 30 + nameLength)], as: UTF8.self)
            let start = 30 + nameLength + extraLength
            if method == 0, start + size <= b.count, size <= 256 { firstMemberStoredContent = Array(b[(base + start)..<(base + start + size)]) }
        }
    }

    /// Whether `needle` occurs in `bytes` (a structural marker in a container).
    static func contains(_ needle: [UInt8], in bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var i = bytes.startIndex
        let last = bytes.endIndex - needle.count
        while i <= last {
            if bytes[i] == first && bytes[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
