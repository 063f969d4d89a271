import ATSDomain
import ATSSupport

/// `limit`/`offset` pagination (API.md: limit 1–100, offset ≥ 0; validated by the API),
/// or keyset pagination when `cursor` is set (newest-first lists only; docs/data-layer.md).
public struct Page: Sendable, Equatable {
    public var limit: Int
    public var offset: Int
    /// Keyset mode: the page starts after this position instead of at `offset`, so a deep
    /// page reads `limit` index entries rather than walking past `offset` of them.
    public var cursor: PageCursor?

    public init(limit: Int = 20, offset: Int = 0, cursor: PageCursor? = nil) {
        self.limit = limit
        self.offset = offset
        self.cursor = cursor
    }
}

/// A position in a list ordered `created_at DESC, id DESC`.
public enum PageCursor: Sendable, Equatable {
    /// The first page, in keyset mode (its result carries the next cursor).
    case start
    /// The rows strictly older than this one, in that order.
    case after(createdAt: Timestamp, id: Int64)
}

/// One page of rows and how many rows match in all (`X-Total-Count`).
public struct PageResult<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    /// False when counting stopped at a bound: there are at least `total` rows.
    public var totalIsExact: Bool
    /// Keyset mode: where the next page starts, when this one was full (there may be more).
    public var next: PageCursor?

    public init(items: [Item], total: Int, totalIsExact: Bool = true, next: PageCursor? = nil) {
        self.items = items
        self.total = total
        self.totalIsExact = totalIsExact
        self.next = next
    }
}
