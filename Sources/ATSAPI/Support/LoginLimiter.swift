import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Counts failed logins per key (an email in a tenant, a client address) in a fixed
/// window; past the limit, logins for that key get 429 until the window ends. In memory,
/// per process: with N API replicas an attacker gets N times the budget (documented).
final class LoginLimiter: Sendable {
    private struct Window {
        var start: Double
        var failures: Int
    }

    private let windows = Mutex<[String: Window]>([:])
    private let window: Double

    init(windowSeconds: Int) { window = Double(windowSeconds) }

    /// Seconds until `key` may try again, or nil when it may try now.
    func retryAfter(_ key: String, limit: Int) -> Int? {
        let now = LoginLimiter.now()
        return windows.withLock { windows -> Int? in
            guard let w = windows[key], now - w.start < window, w.failures >= limit else { return nil }
            return max(1, Int((w.start + window - now).rounded(.up)))
        }
    }

    func recordFailure(_ key: String) {
        let now = LoginLimiter.now()
        windows.withLock { windows in
            if windows.count > 100_000 { windows = windows.filter { now - $0.value.start < window } }
            if let w = windows[key], now - w.start < window {
                windows[key] = Window(start: w.start, failures: w.failures + 1)
            } else {
                windows[key] = Window(start: now, failures: 1)
            }
        }
    }

    func reset(_ key: String) {
        _ = windows.withLock { $0.removeValue(forKey: key) }
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
