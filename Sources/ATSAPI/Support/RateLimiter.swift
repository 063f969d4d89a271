import ATSSupport
import Synchronization

/// Counts attempts per key in fixed windows of `window` seconds; past a key's limit,
/// `attempt` answers how long to wait. One type for every limit of the API (logins,
/// signups), one instance per window length (and the per-minute API rate limit: `RateLimitMiddleware`). In memory, per process: with N API
/// replicas a client gets N times the budget (docs/security.md).
///
/// Bounded work and memory: keys are stored as a per-process seeded hash (8 bytes, however
/// long the email), and every bucket is queued in order of its window's start,
/// so each call first drops the buckets that have expired from the front of the queue
/// (O(1) amortized: each bucket is queued once and dropped once). At `capacity` live
/// buckets the oldest is dropped to make room (it fails open for that key, never closed
/// for everyone; docs/security.md).
final class RateLimiter: Sendable {
    private struct Bucket {
        var start: Double
        var count: Int
    }

    private struct State {
        var buckets: [Int: Bucket] = [:]
        /// (key, start) of buckets as created; entries whose bucket was reset or replaced
        /// are skipped when they reach the front.
        var queue: [(key: Int, start: Double)] = []
        var head = 0
        var evicted = 0
    }

    private let state = Mutex(State())
    let window: Double
    let capacity: Int
    private let clock: @Sendable () -> Double

    init(windowSeconds: Int, capacity: Int = 200_000, clock: @escaping @Sendable () -> Double = { MonotonicClock.seconds() }) {
        window = Double(windowSeconds)
        self.capacity = max(1, capacity)
        self.clock = clock
    }

    /// Counts an attempt for `key` — before the work it limits, so parallel requests
    /// cannot all pass first — and returns the seconds to wait when the window's budget
    /// is spent (that attempt is then not counted). `refund` gives an attempt back.
    func attempt(_ key: String, limit: Int) -> Int? {
        let decision = consume(key, limit: limit)
        return decision.allowed ? nil : decision.resetSeconds
    }

    /// What `consume` decided: whether the attempt counts, how many are left in the
    /// window, and the seconds until the window ends (the wait when refused).
    struct Decision: Equatable {
        let allowed: Bool
        let remaining: Int
        let resetSeconds: Int
    }

    /// `attempt` with the whole picture, for the `RateLimit-*` headers.
    func consume(_ key: String, limit: Int) -> Decision {
        let hash = key.hashValue
        return state.withLock { state -> Decision in
            let now = clock()
            expire(&state, now: now)
            if var bucket = state.buckets[hash] {
                let reset = max(1, Int((bucket.start + window - now).rounded(.up)))
                if bucket.count >= limit { return Decision(allowed: false, remaining: 0, resetSeconds: reset) }
                bucket.count += 1
                state.buckets[hash] = bucket
                return Decision(allowed: true, remaining: limit - bucket.count, resetSeconds: reset)
            }
            let full = max(1, Int(window.rounded(.up)))
            guard limit > 0 else { return Decision(allowed: false, remaining: 0, resetSeconds: full) }
            while state.buckets.count >= capacity, dropOldest(&state) {}
            state.buckets[hash] = Bucket(start: now, count: 1)
            state.queue.append((hash, now))
            compact(&state)
            return Decision(allowed: true, remaining: limit - 1, resetSeconds: full)
        }
    }

    /// `consume` without counting: what it would decide, or nil when it would allow.
    func refusal(_ key: String, limit: Int) -> Decision? {
        let hash = key.hashValue
        return state.withLock { state -> Decision? in
            let now = clock()
            guard let bucket = state.buckets[hash], bucket.start + window > now, bucket.count >= limit else { return nil }
            return Decision(allowed: false, remaining: 0, resetSeconds: max(1, Int((bucket.start + window - now).rounded(.up))))
        }
    }

    /// Gives one attempt back (one that turned out not to count, such as a success).
    func refund(_ key: String) {
        let hash = key.hashValue
        state.withLock { state in
            if var bucket = state.buckets[hash], bucket.count > 0 {
                bucket.count -= 1
                state.buckets[hash] = bucket
            }
        }
    }

    /// Forgets `key`'s count.
    func reset(_ key: String) {
        let hash = key.hashValue
        _ = state.withLock { $0.buckets.removeValue(forKey: hash) }
    }

    /// Live buckets, queued entries, and buckets dropped early for room (for tests).
    var footprint: (buckets: Int, queued: Int, evicted: Int) {
        state.withLock { ($0.buckets.count, $0.queue.count - $0.head, $0.evicted) }
    }

    private func expire(_ state: inout State, now: Double) {
        while state.head < state.queue.count, state.queue[state.head].start + window <= now {
            let entry = state.queue[state.head]
            state.head += 1
            if state.buckets[entry.key]?.start == entry.start { state.buckets[entry.key] = nil }
        }
    }

    /// Drops the bucket at the front of the queue; false when the queue is empty.
    private func dropOldest(_ state: inout State) -> Bool {
        while state.head < state.queue.count {
            let entry = state.queue[state.head]
            state.head += 1
            if state.buckets[entry.key]?.start == entry.start {
                state.buckets[entry.key] = nil
                state.evicted += 1
                return true
            }
        }
        return false
    }

    /// Reclaims the consumed front of the queue, and stale entries (reset buckets) once
    /// they outnumber the live ones: each pass is paid for by as many earlier appends.
    private func compact(_ state: inout State) {
        if state.head >= 1024 && state.head * 2 >= state.queue.count {
            state.queue.removeFirst(state.head)
            state.head = 0
        }
        if state.queue.count - state.head > 2 * capacity {
            let buckets = state.buckets
            state.queue = state.queue[state.head...].filter { buckets[$0.key]?.start == $0.start }
            state.head = 0
        }
    }
}
