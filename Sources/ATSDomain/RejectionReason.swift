/// A tenant's reason for a rejection (API.md, Rejection reasons). Archived reasons stay
/// (applications name them) but cannot be chosen any more.
public struct RejectionReason: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case weRejected = "we_rejected"
        case candidateWithdrew = "candidate_withdrew"
    }

    public var id: Int64
    public var name: String
    public var kind: Kind
    public var archived: Bool

    public init(id: Int64, name: String, kind: Kind, archived: Bool) {
        self.id = id
        self.name = name
        self.kind = kind
        self.archived = archived
    }

    /// What every new tenant starts with.
    public static let defaults: [(name: String, kind: Kind)] = [
        ("Not a fit", .weRejected), ("Position filled", .weRejected), ("Withdrew", .candidateWithdrew),
    ]
}

/// `Application.rejection`: the reason as it was named when chosen (a later rename does
/// not rewrite history), and the note of the move.
public struct Rejection: Sendable, Equatable {
    public var reasonID: Int64?
    public var reason: String?
    public var note: String?

    public init(reasonID: Int64?, reason: String?, note: String?) {
        self.reasonID = reasonID
        self.reason = reason
        self.note = note
    }
}
