/// A hiring stage, by its key in the job's pipeline (`applied`, `screening`, …). Stages
/// are data (`Pipeline`); the constants below are the default pipeline's, which every
/// tenant and job starts with:
///
///     applied → screening → interview → offer → hired
///        └──────────┴───────────┴─────────┴──→ rejected
public struct Stage: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    public let rawValue: String

    /// Keys match `[a-z0-9][a-z0-9_-]{0,39}` (API.md, Pipelines).
    public init?(rawValue: String) {
        let bytes = Array(rawValue.utf8)
        let alphanumeric: (UInt8) -> Bool = { (97...122).contains($0) || (48...57).contains($0) }
        guard (1...40).contains(bytes.count), alphanumeric(bytes[0]),
              bytes.allSatisfy({ alphanumeric($0) || $0 == 95 || $0 == 45 }) else { return nil }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    public static let applied = Stage(known: "applied")
    public static let screening = Stage(known: "screening")
    public static let interview = Stage(known: "interview")
    public static let offer = Stage(known: "offer")
    public static let hired = Stage(known: "hired")
    public static let rejected = Stage(known: "rejected")

    /// The default pipeline's stages, in order.
    public static let allCases: [Stage] = [.applied, .screening, .interview, .offer, .hired, .rejected]

    public var description: String { rawValue }

    // The default pipeline's rules, for callers that have no pipeline at hand.
    public var isTerminal: Bool { Pipeline.standard.isTerminal(self) }
    public var allowedNext: [Stage] { Pipeline.standard.allowedNext(from: self) }
    public func canMove(to next: Stage) -> Bool { Pipeline.standard.canMove(from: self, to: next) }
}
