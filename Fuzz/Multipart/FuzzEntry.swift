// libFuzzer entry for the multipart/form-data parser. Built by `scripts/fuzz multipart`
// with Sources/ATSHTTP/Parser/*.swift and the percent decoder from ATSSupport.
//
// The input's first line is the Content-Type (so boundaries and quoting are fuzzed
// too), the rest is the body. Besides "never crash, never leak", it checks that every
// part's content lies inside the body, after its headers, in order, and that the limits
// hold.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipartParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let newline = bytes.firstIndex(of: 0x0A) ?? bytes.count
    let contentType = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = newline < bytes.count ? Array(bytes[(newline + 1)...]) : []
    _ = HeaderParameters(contentType)?.parameters
    guard let boundary = MultipartParser.boundary(contentType: contentType) else { return 0 }
    let limits = MultipartLimits(maxParts: 8, maxHeaderBytes: 512, maxHeaderCount: 6)
    guard let parts = try? MultipartParser.parse(body, boundary: boundary, limits: limits) else { return 0 }
    precondition(!parts.isEmpty && parts.count <= limits.maxParts, "part count out of bounds")
    var previousEnd = 0
    for part in parts {
        precondition(part.content.lowerBound >= previousEnd && part.content.upperBound <= body.count, "a part's content is outside the body")
        precondition(part.headers.count <= limits.maxHeaderCount, "too many part headers")
        let delimiter = Array("\r\n--\(boundary)".utf8)
        precondition(body[part.content.upperBound...].starts(with: delimiter), "content does not end at a delimiter")
        _ = part.filename.map { HeaderParameters.extendedValue($0) }
        previousEnd = part.content.upperBound
    }
    return 0
}
