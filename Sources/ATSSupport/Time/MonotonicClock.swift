#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock, for timeouts, windows and back-off (never wall time).
public enum MonotonicClock {
    public static func seconds() -> Double {
        Double(nanoseconds()) / 1e9
    }

    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// The monotonic time `seconds` from now, as the `timespec` that
    /// `pthread_cond_timedwait` takes (with a condition variable on CLOCK_MONOTONIC).
    public static func deadline(after seconds: Double) -> timespec {
        let total = nanoseconds() + UInt64(max(0, seconds) * 1e9)
        return timespec(tv_sec: Int(total / 1_000_000_000), tv_nsec: Int(total % 1_000_000_000))
    }
}
