import ATSDomain
import Testing

@Suite("Documents: formats by content, display names")
struct DocumentFormatTests {
    private func recognize(_ bytes: [UInt8]) -> DocumentFormat? { DocumentFormat.recognize(bytes[...]) }

    /// A ZIP of stored members with a central directory (and an optional archive comment).
    private func zip(_ names: [String], firstContent: [UInt8] = [], comment: [UInt8] = []) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16) }
        var out: [UInt8] = [], central: [UInt8] = []
        for (i, name) in names.enumerated() {
            let data = i == 0 ? firstContent : []
            let fields = u16(20) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(data.count) + u32(data.count) + u16(name.utf8.count) + u16(0)
            central += u32(0x0201_4B50) + u16(20) + fields + u16(0) + u16(0) + u16(0) + u32(0) + u32(out.count) + Array(name.utf8)
            out += u32(0x0403_4B50) + fields + Array(name.utf8) + data
        }
        let offset = out.count
        return out + central + u32(0x0605_4B50) + u16(0) + u16(0) + u16(names.count) + u16(names.count) + u32(central.count) + u32(offset)
            + u16(comment.count) + comment
    }

    @Test func signaturesAndStructure() {
        #expect(recognize(Array("%PDF-1.7\n".utf8)) == .pdf)
        #expect(recognize([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(recognize([0xFF, 0xD8, 0xFF, 0xDB]) == .jpeg)
        #expect(recognize(Array("{\\rtf1 hi}".utf8)) == .rtf)
        #expect(recognize(Array("plain\ttext\r\nwith ünïcode\u{0C}".utf8)) == .text)
        #expect(recognize(zip(["[Content_Types].xml", "word/document.xml"])) == .docx)
        #expect(recognize(zip(["[Content_Types].xml", "word/document.xml"], comment: Array("a comment".utf8))) == .docx)
        #expect(recognize(zip(["mimetype", "content.xml"], firstContent: Array("application/vnd.oasis.opendocument.text".utf8))) == .odt)
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 100)
        #expect(recognize(ole + "WordDocument".utf8.flatMap { [$0, 0] }) == .doc)
    }

    @Test func impostorsAndFragments() {
        #expect(recognize([]) == nil)
        #expect(recognize([0xFF, 0xFE, 0x00]) == nil)  // UTF-16 BOM and a NUL: not UTF-8 text
        #expect(recognize(Array("text with a NUL\u{0}".utf8)) == nil)
        #expect(recognize([0xC3, 0x28]) == nil)  // invalid UTF-8
        #expect(recognize(Array("bell\u{07}".utf8)) == nil)
        #expect(recognize(zip(["word/document.xml"])) == nil, "no [Content_Types].xml")
        #expect(recognize(zip(["mimetype"], firstContent: Array("application/vnd.oasis.opendocument.spreadsheet".utf8))) == nil)
        #expect(recognize([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]) == nil, "a truncated ZIP")
        var broken = zip(["[Content_Types].xml", "word/document.xml"])
        broken[broken.count - 6] = 0xFF  // the directory's offset points past the end
        #expect(recognize(broken) == nil)
        #expect(recognize([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]) == nil, "OLE without a WordDocument stream")
    }

    @Test func declaredTypes() {
        #expect(DocumentFormat.pdf.agrees(withDeclared: nil) && DocumentFormat.pdf.agrees(withDeclared: "application/octet-stream"))
        #expect(DocumentFormat.rtf.agrees(withDeclared: "text/rtf") && DocumentFormat.jpeg.agrees(withDeclared: "image/jpg"))
        #expect(!DocumentFormat.text.agrees(withDeclared: "text/html") && !DocumentFormat.docx.agrees(withDeclared: "application/zip"))
    }

    @Test func displayNames() {
        #expect(Document.displayName("../../etc/passwd") == "....etcpasswd")
        #expect(Document.displayName("  C:\\Users\\ada\\cv.pdf  ") == "C:Usersadacv.pdf")
        #expect(Document.displayName("cv\u{202E}fdp.exe") == "cvfdp.exe", "no bidi override")
        #expect(Document.displayName("résumé 履歴書.pdf") == "résumé 履歴書.pdf")
        #expect(Document.displayName(nil) == "document" && Document.displayName(" / ") == "document" && Document.displayName("..") == "document")
        #expect(Document.displayName(String(repeating: "é", count: 300)).count == 255)
    }
}
