/// A Prometheus histogram's state: cumulative bucket counts for fixed upper bounds,
/// plus the count and sum of every observation.
public struct Histogram: Sendable {
    public let bounds: [Double]
    public private(set) var buckets: [Int]
    public private(set) var count = 0
    public private(set) var sum = 0.0

    public init(bounds: [Double]) {
        self.bounds = bounds
        buckets = [Int](repeating: 0, count: bounds.count)
    }

    public mutating func observe(_ value: Double) {
        count += 1
        sum += value
        for (i, bound) in bounds.enumerated() where value <= bound { buckets[i] += 1 }
    }

    /// Adds `other`'s observations (same bounds: shards of one metric).
    public mutating func merge(_ other: Histogram) {
        count += other.count
        sum += other.sum
        for i in buckets.indices where i < other.buckets.count { buckets[i] += other.buckets[i] }
    }
}
