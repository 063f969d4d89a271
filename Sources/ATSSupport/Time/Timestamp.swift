#if canImport(Glibc)
import Glibc
#endif

/// A UTC instant with microsecond precision (what PostgreSQL's timestamptz keeps),
/// written as RFC 3339 (`2026-11-24T14:45:17.123456Z`).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let microseconds: Int64  // since 1970-01-01T00:00:00Z

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    /// Whole seconds since 1970 (JWT `iat`/`exp`).
    public var unixSeconds: Int64 { microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000 }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    public var description: String { rfc3339 }

    /// `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`; the fraction only when non-zero. Written digit by
    /// digit: every row of every response carries two of these.
    public var rfc3339: String { format(alwaysFraction: false) }

    /// Always six fraction digits: fixed width, so it sorts correctly as text.
    public var rfc3339WithMicroseconds: String { format(alwaysFraction: true) }

    func format(alwaysFraction: Bool) -> String {
        String(unsafeUninitializedCapacity: 27) { write(alwaysFraction: alwaysFraction, into: $0) }
    }

    /// Writes the `rfc3339` text into `out` (27 bytes at least) and returns its length
    /// (JSON writers: no String in between).
    public func writeRFC3339(into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        write(alwaysFraction: false, into: out)
    }

    /// Writes the text into `out` (27 bytes at least) and returns its length.
    private func write(alwaysFraction: Bool, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let days = microseconds >= 0 ? microseconds / 86_400_000_000 : (microseconds - 86_399_999_999) / 86_400_000_000
        let inDay = microseconds - days * 86_400_000_000
        let secondOfDay = inDay / 1_000_000
        let fraction = inDay % 1_000_000
        let (year, month, day) = Timestamp.civil(fromDays: days)
        func put(_ value: Int64, _ at: Int, _ width: Int) {
            var v = value < 0 ? 0 : value
            var i = at + width - 1
            while i >= at {
                out[i] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
                v /= 10
                i -= 1
            }
        }
        put(year, 0, 4); out[4] = 0x2D; put(month, 5, 2); out[7] = 0x2D; put(day, 8, 2); out[10] = 0x54
        put(secondOfDay / 3600, 11, 2); out[13] = 0x3A; put(secondOfDay / 60 % 60, 14, 2); out[16] = 0x3A; put(secondOfDay % 60, 17, 2)
        var length = 19
        if fraction != 0 || alwaysFraction {
            out[19] = 0x2E
            put(fraction, 20, 6)
            length = 26
        }
        out[length] = 0x5A
        return length + 1
    }

    /// Parses RFC 3339 with a `Z` or `±HH:MM` offset (also a space instead of `T`, and a
    /// `+00` offset, as PostgreSQL prints timestamptz in UTC).
    public init?(rfc3339 text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Timestamp(rfc3339: $0) }) else { return nil }
        self = parsed
    }

    /// The same, from UTF-8 bytes (a database cell, without making a String of it).
    public init?(rfc3339 b: UnsafeBufferPointer<UInt8>) {
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= b.count else { return nil }
            var n: Int64 = 0
            for i in range {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                n = n * 10 + Int64(b[i] - 48)
            }
            return n
        }
        guard b.count >= 19, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116 || b[10] == 32, b[13] == 58, b[16] == 58,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var micros: Int64 = 0
        if i < b.count && b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                if digits < 6 { micros = micros * 10 + Int64(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        var offset: Int64 = 0
        if i < b.count && (b[i] == 90 || b[i] == 122) {
            i += 1
        } else if i < b.count && (b[i] == 43 || b[i] == 45) {
            let sign: Int64 = b[i] == 45 ? -1 : 1
            guard let oh = number((i + 1)..<(i + 3)) else { return nil }
            var om: Int64 = 0
            i += 3
            if i < b.count && b[i] == 58 {
                guard let m = number((i + 1)..<(i + 3)) else { return nil }
                om = m
                i += 3
            }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = Timestamp.days(fromCivil: year, month, day)
        microseconds = ((days * 86_400 + hour * 3600 + minute * 60 + min(second, 59)) - offset) * 1_000_000 + micros
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func days(fromCivil y: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z: Int64) -> (Int64, Int64, Int64) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

}
