// libFuzzer entry for the RESP2 parser (Sources/ATSRedis/RESPValue.swift, built
// alone by scripts/fuzz). Never crash, never leak; and parsing the bytes whole or one
// byte at a time gives the same values or the same error.

private func run(_ bytes: [UInt8], chunk: Int) -> (values: [RESPValue], error: RESPError?) {
    var buffer: [UInt8] = []
    var start = 0
    var values: [RESPValue] = []
    var offset = 0
    do {
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            buffer += bytes[offset..<end]
            offset = end
            while let value = try RESP.parse(buffer, start: &start) { values.append(value) }
        }
    } catch {
        return (values, error)
    }
    return (values, nil)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRESP(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = run(bytes, chunk: max(1, bytes.count))
    let trickle = run(bytes, chunk: 1)
    precondition(whole.values == trickle.values, "split feeding changed the values")
    precondition((whole.error == nil) == (trickle.error == nil), "split feeding changed whether it failed")
    return 0
}
