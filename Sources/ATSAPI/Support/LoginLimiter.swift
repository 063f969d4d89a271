import ATSDomain
import ATSSupport
import Synchronization

/// Counts login attempts per key (an email in a tenant, a client address) in a fixed
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

    /// Counts an attempt for `key` before the password is checked — so parallel requests
    /// cannot all pass the check first — and returns the seconds to wait when the
    /// window's budget is spent (the attempt is then not counted). A successful login
    /// gives the budget back with `reset`.
    func attempt(_ key: String, limit: Int) -> Int? {
        let now = MonotonicClock.seconds()
        return windows.withLock { windows -> Int? in
            if windows.count > 100_000 { windows = windows.filter { now - $0.value.start < window } }
            var w = windows[key].flatMap { now - $0.start < window ? $0 : nil } ?? Window(start: now, failures: 0)
            if w.failures >= limit { return max(1, Int((w.start + window - now).rounded(.up))) }
            w.failures += 1
            windows[key] = w
            return nil
        }
    }

    /// Gives one attempt back (a login that succeeded), keeping the failures counted.
    func refund(_ key: String) {
        windows.withLock { windows in
            if var w = windows[key], w.failures > 0 {
                w.failures -= 1
                windows[key] = w
            }
        }
    }

    func reset(_ key: String) {
        _ = windows.withLock { $0.removeValue(forKey: key) }
    }
}
