/// A job's hiring stages as data, in order, and the rule for moving between them:
/// one step forward (any number with `allowSkip`, backwards too with `allowBack`), or
/// to the reserved `rejected` stage from any stage that is not terminal. Stages of kind
/// `hired` and `rejected` are terminal. The path (API.md) starts with the one `applied`
/// stage, ends with the one `hired` stage, and `rejected` (reserved) sits outside it.
public struct Pipeline: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case applied, screening, interview, offer, hired, rejected

        /// The kinds a client may give a stage (`rejected` is always there, not chosen).
        public static let onPath: [Kind] = [.applied, .screening, .interview, .offer, .hired]
        public var isTerminal: Bool { self == .hired || self == .rejected }
    }

    public struct StageDefinition: Sendable, Equatable {
        public let stage: Stage
        public let name: String
        public let kind: Kind

        public init(_ stage: Stage, name: String, kind: Kind = .interview) {
            self.stage = stage
            self.name = name
            self.kind = kind
        }
    }

    /// In order; the `rejected` stage is last.
    public let stages: [StageDefinition]
    public let allowSkip: Bool
    public let allowBack: Bool

    public init(stages: [StageDefinition], allowSkip: Bool = false, allowBack: Bool = false) {
        self.stages = stages
        self.allowSkip = allowSkip
        self.allowBack = allowBack
    }

    /// The pipeline every tenant and job starts with (Part 1's workflow).
    public static let standard = Pipeline(stages: [
        StageDefinition(.applied, name: "Applied", kind: .applied), StageDefinition(.screening, name: "Screening", kind: .screening),
        StageDefinition(.interview, name: "Interview", kind: .interview), StageDefinition(.offer, name: "Offer", kind: .offer),
        StageDefinition(.hired, name: "Hired", kind: .hired), StageDefinition(.rejected, name: "Rejected", kind: .rejected),
    ])

    /// Where a new application starts.
    public var first: Stage { stages.first?.stage ?? .applied }

    public func definition(of stage: Stage) -> StageDefinition? { stages.first { $0.stage == stage } }

    public func isTerminal(_ stage: Stage) -> Bool { definition(of: stage).map(\.kind.isTerminal) ?? false }

    /// The stages `stage` may move to, in pipeline order; none from a terminal or unknown stage.
    public func allowedNext(from stage: Stage) -> [Stage] {
        let ordered = stages.filter { $0.kind != .rejected }
        guard let index = ordered.firstIndex(where: { $0.stage == stage }), !ordered[index].kind.isTerminal else { return [] }
        var allowed: [Stage] = []
        for (i, definition) in ordered.enumerated() where i != index {
            let forward = i == index + 1 || (allowSkip && i > index)
            let back = allowBack && i < index && !definition.kind.isTerminal
            if forward || back { allowed.append(definition.stage) }
        }
        return allowed + stages.filter { $0.kind == .rejected }.map(\.stage)
    }

    public func canMove(from: Stage, to: Stage) -> Bool { allowedNext(from: from).contains(to) }

    /// The stages on the path, in order (without `rejected`).
    public var path: [StageDefinition] { stages.filter { $0.kind != .rejected } }

    /// `path` with the reserved rejected stage appended: what is stored.
    public static func withRejected(_ path: [StageDefinition], allowSkip: Bool, allowBack: Bool) -> Pipeline {
        Pipeline(stages: path + [StageDefinition(.rejected, name: "Rejected", kind: .rejected)], allowSkip: allowSkip, allowBack: allowBack)
    }
}
