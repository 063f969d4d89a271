/// A hiring stage, by its key in the job's pipeline (`applied`, `screening`, …). Stages
/// are data (`Pipeline`); the constants below are the default pipeline's, which every
/// tenant and job starts with:
///
///     applied → screening → interview → offer → hired
///        └──────────┴───────────┴─────────┴──→ rejected
public struct Stage: RawRepresentable, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    public let rawValue: String

    /// Keys are 1 to 40 characters of `a-z`, `0-9` and `_`, starting with a letter.
    public init?(rawValue: String) {
        let bytes = Array(rawValue.utf8)
        guard (1...40).contains(bytes.count), (97...122).contains(bytes[0]),
              bytes.allSatisfy({ (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }) else { return nil }
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
