/// A row id: a positive 64-bit integer, unique per table (API.md). The phantom `Entity`
/// keeps a job id from being passed where a user id belongs (`ID<Job>` vs `ID<User>`).
public struct ID<Entity>: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ value: Int64) { rawValue = value }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}
