import Synchronization

/// Statements sent by every connection of one database (each connection counts its own
/// too): what the tests read to pin the round trips of a request, so they never creep
/// back up.
public final class RoundTripCounter: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    public var value: Int { count.load(ordering: .relaxed) }

    public func add() { count.add(1, ordering: .relaxed) }
}
