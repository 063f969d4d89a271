/// The hiring stages of an application and the only moves between them:
///
///     applied → screening → interview → offer → hired
///        └──────────┴───────────┴─────────┴──→ rejected
///
/// One step forward, or `rejected` from any non-terminal stage. `hired` and `rejected`
/// are terminal.
public enum Stage: String, Sendable, CaseIterable, Codable {
    case applied
    case screening
    case interview
    case offer
    case hired
    case rejected

    public var isTerminal: Bool { self == .hired || self == .rejected }

    /// The stages this one may move to, in pipeline order.
    public var allowedNext: [Stage] {
        switch self {
        case .applied: return [.screening, .rejected]
        case .screening: return [.interview, .rejected]
        case .interview: return [.offer, .rejected]
        case .offer: return [.hired, .rejected]
        case .hired, .rejected: return []
        }
    }

    public func canMove(to next: Stage) -> Bool { allowedNext.contains(next) }
}
