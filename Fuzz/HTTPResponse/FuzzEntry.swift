// libFuzzer entry for the HTTP/1.1 response parser of the webhook client
// (Sources/ATSNet/HTTPResponseParser.swift, built alone by scripts/fuzz). Never crash,
// never leak, never hold more than its caps; and feeding the bytes whole or one byte at a
// time gives the same response or the same failure.

private func run(_ bytes: [UInt8], chunk: Int) -> (response: HTTPResponseParser.Response?, failed: Bool) {
    var parser = HTTPResponseParser(maxHead: 1024, maxBody: 512, maxHeaders: 20)
    var offset = 0
    do {
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            if let response = try parser.feed(bytes[offset..<end]) { return (response, false) }
            offset = end
        }
        return (try parser.finish(), false)
    } catch {
        return (nil, true)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = run(bytes, chunk: max(1, bytes.count))
    let trickle = run(bytes, chunk: 1)
    precondition(whole.response == trickle.response, "split feeding changed the response")
    precondition(whole.failed == trickle.failed, "split feeding changed whether it failed")
    if let response = whole.response {
        precondition(response.body.count <= 512, "the body cap was exceeded")
        precondition((100...599).contains(response.status), "a status out of range was accepted")
    }
    return 0
}
