import ATSDomain
import ATSSupport

/// `limit`/`offset` pagination (API.md: limit 1–100, offset ≥ 0; validated by the API).
public struct Page: Sendable, Equatable {
    public var limit: Int
    public var offset: Int

    public init(limit: Int = 20, offset: Int = 0) {
        self.limit = limit
        self.offset = offset
    }
}

/// One page of rows and how many rows match in all (`X-Total-Count`).
public struct PageResult<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    /// False when counting stopped at a bound: there are at least `total` rows.
    public var totalIsExact: Bool

    public init(items: [Item], total: Int, totalIsExact: Bool = true) {
        self.items = items
        self.total = total
        self.totalIsExact = totalIsExact
    }
}
