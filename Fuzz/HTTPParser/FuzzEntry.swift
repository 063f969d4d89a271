// libFuzzer entry for the HTTP/1.1 request parser. Built by scripts/fuzz-http together
// with Sources/ATSHTTP/Parser/*.swift and the percent decoder from ATSSupport (the parser has no other dependencies).
//
// Besides "never crash, never leak", it checks one property: feeding the same bytes
// whole or one byte at a time gives the same requests or the same error.

private func run(_ bytes: [UInt8], chunkSize: Int) -> (requests: [String], error: HTTPParseError?) {
    var parser = HTTPParser(limits: HTTPParserLimits(maxRequestLine: 512, maxHeaderBytes: 1024, maxHeaderCount: 16, maxBody: 4096))
    var buffer: [UInt8] = []
    var start = 0
    var requests: [String] = []
    var offset = 0
    do {
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunkSize)
            buffer.append(contentsOf: bytes[offset..<end])
            offset = end
            loop: while true {
                switch try parser.parse(buffer, start: &start) {
                case .needMore: break loop
                case .head(let head): _ = head.keepAlive; _ = head.expectsContinue
                case .request(let request):
                    _ = request.queryItems
                    requests.append("\(request.method) \(request.head.target) \(request.headers.count) \(request.body)")
                }
            }
        }
    } catch {
        return (requests, error)
    }
    return (requests, nil)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = run(bytes, chunkSize: max(1, bytes.count))
    let trickle = run(bytes, chunkSize: 1)
    precondition(whole.requests == trickle.requests, "split feeding changed the parsed requests")
    precondition(whole.error == trickle.error, "split feeding changed the error")
    return 0
}
