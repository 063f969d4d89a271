import ATSHTTP
import Testing

@Suite("multipart/form-data parser (RFC 7578)")
struct MultipartParserTests {
    private func parse(_ text: String, boundary: String = "XyZ", limits: MultipartLimits = MultipartLimits()) throws -> ([MultipartPart], [UInt8]) {
        let body = Array(text.utf8)
        return (try MultipartParser.parse(body, boundary: boundary, limits: limits), body)
    }

    private func content(_ part: MultipartPart, _ body: [UInt8]) -> String { String(decoding: body[part.content], as: UTF8.self) }

    @Test func boundaries() {
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartParser.boundary(contentType: "Multipart/Form-Data;boundary=\"a b:c\"") == "a b:c")
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; charset=utf-8; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW")
                == "----WebKitFormBoundary7MA4YWxkTrZu0gW")
        #expect(MultipartParser.boundary(contentType: "multipart/form-data") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/mixed; boundary=abc") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\"unterminated") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "a", count: 71)) == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\"trailing \"") == nil)
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=\"a{b\"") == nil)
    }

    @Test func partsWithNamesFilenamesAndTypes() throws {
        let text = "preamble to ignore\r\n--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ncover_letter\r\n"
            + "--XyZ  \r\ncontent-disposition: form-data; name=file; filename=\"plain.txt\"; filename*=UTF-8''%E2%82%AC%20rates.txt\r\n"
            + "Content-Type: text/plain\r\n\r\nline 1\r\n--XyZnot a boundary\r\nline 3\r\n--XyZ--\r\nepilogue"
        let (parts, body) = try parse(text)
        #expect(parts.count == 2)
        #expect(parts[0].name == "kind" && content(parts[0], body) == "cover_letter" && parts[0].filename == nil && parts[0].contentType == nil)
        #expect(parts[1].name == "file" && parts[1].filename == "€ rates.txt" && parts[1].contentType == "text/plain")
        #expect(content(parts[1], body) == "line 1\r\n--XyZnot a boundary\r\nline 3")
    }

    @Test func bodyStartingWithTheBoundaryAndEmptyContent() throws {
        let (parts, body) = try parse("--XyZ\r\nContent-Disposition: form-data; name=\"a\"; filename=\"x\\\"y.pdf\"\r\n\r\n\r\n--XyZ--")
        #expect(parts.count == 1 && content(parts[0], body).isEmpty && parts[0].filename == "x\"y.pdf")
    }

    @Test func malformedBodiesAreErrorsNotGuesses() {
        let disposition = "Content-Disposition: form-data; name=\"f\"\r\n\r\n"
        let bad = [
            "",  // nothing
            "no boundary at all",
            "--XyZ\r\n" + disposition + "data",  // no closing delimiter
            "--XyZ\r\n" + disposition + "data\r\n--XyZ",  // delimiter without CRLF or --
            "--XyZ--\r\n",  // no parts
            "--XyZ\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--XyZ--",  // not form-data
            "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--",  // no name
            "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\nContent-Disposition: form-data; name=\"g\"\r\n\r\nx\r\n--XyZ--",
            "--XyZ\r\nBad Header\r\n\r\nx\r\n--XyZ--",
            "--XyZ\r\nX: a\u{01}b\r\n" + disposition + "x\r\n--XyZ--",
            "--XyZ\r\n" + "Content-Disposition: form-data; name=\"f\"\r\n",  // headers never end
            "--XyZ\nContent-Disposition: form-data; name=\"f\"\n\nx\n--XyZ--",  // LF line ends
        ]
        for text in bad {
            #expect(throws: MultipartError.self, "\(text.debugDescription)") { try parse(text) }
        }
    }

    @Test func limitsOnPartsAndHeaders() throws {
        let part = "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n"
        let limits = MultipartLimits(maxParts: 3, maxHeaderBytes: 200, maxHeaderCount: 3)
        #expect(try parse(String(repeating: part, count: 3) + "--XyZ--", limits: limits).0.count == 3)
        #expect(throws: MultipartError.self) { try parse(String(repeating: part, count: 4) + "--XyZ--", limits: limits) }
        let longHeader = "--XyZ\r\nX-Long: " + String(repeating: "a", count: 300) + "\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--XyZ--"
        #expect(throws: MultipartError.self) { try parse(longHeader, limits: limits) }
        let many = "--XyZ\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--XyZ--"
        #expect(throws: MultipartError.self) { try parse(many, limits: limits) }
    }

    @Test func headerParameters() {
        let parsed = HeaderParameters("form-data; name=\"a;b\"; filename=plain; x=\"\\\\q\"")
        #expect(parsed?.value == "form-data" && parsed?.parameter("name") == "a;b" && parsed?.parameter("filename") == "plain" && parsed?.parameter("x") == "\\q")
        #expect(HeaderParameters("text/plain; charset=utf-8")?.value == "text/plain")
        #expect(HeaderParameters("text/plain; charset") == nil)
        #expect(HeaderParameters("text/plain; =x") == nil)
        #expect(HeaderParameters("") == nil)
        #expect(HeaderParameters.extendedValue("UTF-8''%C3%A9t%C3%A9.pdf") == "été.pdf")
        #expect(HeaderParameters.extendedValue("iso-8859-1''%E9t%E9.pdf") == nil)
        #expect(HeaderParameters.extendedValue("UTF-8''%FF") == nil)
    }
}
