import ATSSupport

/// An RFC 5545 calendar with one event, as an invitation (RFC 5546 iTIP REQUEST or
/// CANCEL) carries it: CRLF line ends, TEXT values escaped, lines folded at 75 octets
/// (never inside a UTF-8 sequence).
public struct ICalendar: Sendable, Equatable {
    public enum Method: String, Sendable {
        case request = "REQUEST", cancel = "CANCEL"
    }

    public struct Attendee: Sendable, Equatable {
        public var name: String
        public var email: String
        /// `REQ-PARTICIPANT` for the candidate and interviewers.
        public var role: String

        public init(name: String, email: String, role: String = "REQ-PARTICIPANT") {
            self.name = name
            self.email = email
            self.role = role
        }
    }

    public var method: Method
    public var uid: String
    public var sequence: Int64
    public var stamp: Timestamp
    public var start: Timestamp
    public var end: Timestamp
    public var summary: String
    public var location: String?
    public var description: String?
    public var url: String?
    public var organizer: Attendee
    public var attendees: [Attendee]

    public init(method: Method, uid: String, sequence: Int64, stamp: Timestamp, start: Timestamp, end: Timestamp, summary: String,
                location: String?, description: String?, url: String?, organizer: Attendee, attendees: [Attendee]) {
        self.method = method
        self.uid = uid
        self.sequence = sequence
        self.stamp = stamp
        self.start = start
        self.end = end
        self.summary = summary
        self.location = location
        self.description = description
        self.url = url
        self.organizer = organizer
        self.attendees = attendees
    }

    public static let productID = "-//ATS//Interviews//EN"

    /// The calendar object, CRLF line ends, each line folded.
    public func rendered() -> String {
        var lines = ["BEGIN:VCALENDAR", "PRODID:" + ICalendar.productID, "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:" + method.rawValue,
                     "BEGIN:VEVENT", "UID:" + ICalendar.escape(uid), "SEQUENCE:\(sequence)", "DTSTAMP:" + ICalendar.utc(stamp),
                     "DTSTART:" + ICalendar.utc(start), "DTEND:" + ICalendar.utc(end), "SUMMARY:" + ICalendar.escape(summary)]
        if let location, !location.isEmpty { lines.append("LOCATION:" + ICalendar.escape(location)) }
        if let description, !description.isEmpty { lines.append("DESCRIPTION:" + ICalendar.escape(description)) }
        // URL is a URI value, not TEXT: no escaping, but nothing that would end the line.
        if let url, !url.isEmpty, !url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { lines.append("URL:" + url) }
        lines.append("ORGANIZER;CN=" + ICalendar.parameter(organizer.name) + ":mailto:" + ICalendar.mailto(organizer.email))
        for attendee in attendees {
            lines.append("ATTENDEE;CN=" + ICalendar.parameter(attendee.name) + ";ROLE=\(attendee.role);PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:"
                         + ICalendar.mailto(attendee.email))
        }
        lines += ["STATUS:" + (method == .cancel ? "CANCELLED" : "CONFIRMED"), "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
        return lines.map(ICalendar.fold).joined(separator: "\r\n") + "\r\n"
    }

    /// A DATE-TIME in UTC (`19980119T070000Z`), to the second.
    public static func utc(_ t: Timestamp) -> String {
        let iso = Array(t.rfc3339.utf8)  // YYYY-MM-DDTHH:MM:SS[.f]Z
        let picks = [0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 14, 15, 17, 18]
        return String(decoding: picks.map { iso[$0] }, as: UTF8.self) + "Z"
    }

    /// RFC 5545 §3.3.11 TEXT: backslash, `;`, `,` escaped, newlines as `\n` (CR dropped),
    /// other control characters dropped (they may not appear in a content line).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previousCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": if !previousCR { out += "\\n" }
            case "\r": out += "\\n"
            default:
                if scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F { break }
                out.unicodeScalars.append(scalar)
            }
            previousCR = scalar == "\r"
        }
        return out
    }

    /// A parameter value (§3.2): always quoted; `"` cannot be in one, so it and control
    /// characters are dropped.
    static func parameter(_ text: String) -> String {
        "\"" + String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\"" && $0.value >= 0x20 && $0.value != 0x7F })) + "\""
    }

    /// An address for `mailto:`: the stored addresses are validated; anything that could
    /// break the line or the URI is dropped all the same.
    static func mailto(_ email: String) -> String {
        String(String.UnicodeScalarView(email.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && $0 != ":" && $0 != ";" && $0 != "\"" }))
    }

    /// §3.1: lines longer than 75 octets are split, each continuation starting with one
    /// space (so continuation lines carry 74 octets of content), never inside a UTF-8 sequence.
    public static func fold(_ line: String) -> String {
        let bytes = Array(line.utf8)
        guard bytes.count > 75 else { return line }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 70 * 3)
        var start = 0
        var limit = 75
        while start < bytes.count {
            var end = min(start + limit, bytes.count)
            // Back off to the start of a scalar: continuation bytes are 10xxxxxx.
            while end < bytes.count && end > start && bytes[end] & 0xC0 == 0x80 { end -= 1 }
            if start > 0 { out += [13, 10, 32] }
            out += bytes[start..<end]
            start = end
            limit = 74
        }
        return String(decoding: out, as: UTF8.self)
    }
}
