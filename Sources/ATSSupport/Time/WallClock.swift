#if canImport(Glibc)
import Glibc
#endif

/// Formats wall-clock time for headers and logs, re-rendering only when the second
/// changes (a loop serves many requests per second; each reuses the same text).
public struct WallClock {
    public private(set) var second: Int = -1
    /// IMF-fixdate for the `Date` header (RFC 9110 §5.6.7), as bytes ready to send.
    public private(set) var httpDate: [UInt8] = []
    /// `2026-11-24T14:45:17` (UTC, no zone designator) for log timestamps.
    public private(set) var iso8601Seconds = ""
    public private(set) var milliseconds = 0

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public init() {}

    public mutating func refresh() {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        milliseconds = Int(ts.tv_nsec / 1_000_000)
        guard ts.tv_sec != second else { return }
        second = ts.tv_sec
        var t = time_t(ts.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        let year = Int(parts.tm_year) + 1900
        let date = "\(WallClock.days[Int(parts.tm_wday)]), \(pad(parts.tm_mday)) \(WallClock.months[Int(parts.tm_mon)]) \(year) "
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)) GMT"
        httpDate = Array(date.utf8)
        iso8601Seconds = "\(year)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))"
    }

    /// `2026-11-24T14:45:17.123Z`
    public var iso8601Milliseconds: String {
        let ms = milliseconds
        return iso8601Seconds + "." + (ms < 10 ? "00" : ms < 100 ? "0" : "") + String(ms) + "Z"
    }

    private func pad(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
