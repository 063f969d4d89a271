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
}
