/// Why a request could not be parsed. Every case ends the connection after its response
/// (after a framing error nothing that follows on the connection can be trusted).
public enum HTTPParseError: Error, Sendable, Equatable {
    case malformedRequestLine
    case requestLineTooLong
    case unsupportedVersion
    case malformedHeader(String)
    case headersTooLarge
    case tooManyHeaders
    case missingHost
    case conflictingFraming(String)
    case unsupportedTransferCoding
    case invalidContentLength
    case bodyTooLarge
    case malformedChunk(String)

    /// The status this error is answered with.
    public var status: Int {
        switch self {
        case .requestLineTooLong: return 414
        case .headersTooLarge, .tooManyHeaders: return 431
        case .bodyTooLarge: return 413
        case .unsupportedTransferCoding: return 501
        case .unsupportedVersion: return 505
        default: return 400
        }
    }

    /// A one-line explanation for the problem+json `detail`.
    public var detail: String {
        switch self {
        case .malformedRequestLine: return "The request line is malformed."
        case .requestLineTooLong: return "The request line is longer than the server accepts."
        case .unsupportedVersion: return "Only HTTP/1.0 and HTTP/1.1 are supported."
        case .malformedHeader(let why): return "A header field is malformed: \(why)."
        case .headersTooLarge: return "The header section is larger than the server accepts."
        case .tooManyHeaders: return "The request has more header fields than the server accepts."
        case .missingHost: return "HTTP/1.1 requests need exactly one Host header."
        case .conflictingFraming(let why): return "The message framing is ambiguous: \(why)."
        case .unsupportedTransferCoding: return "Only the chunked transfer coding is supported."
        case .invalidContentLength: return "Content-Length is not a valid length."
        case .bodyTooLarge: return "The request body is larger than the server accepts."
        case .malformedChunk(let why): return "The chunked body is malformed: \(why)."
        }
    }
}
