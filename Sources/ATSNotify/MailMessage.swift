import ATSDomain
import ATSSupport

/// One e-mail, rendered as RFC 5322 with a MIME multipart/alternative body (plain text
/// and HTML; with a calendar invitation, multipart/mixed around multipart/alternative of
/// text, HTML and `text/calendar`, plus the same calendar as an `invite.ics`
/// attachment, the shape Google, Outlook and Apple Mail all accept). Non-ASCII header
/// text is RFC 2047-encoded and header fields are folded to at most 78 octets a line;
/// bodies are base64, so no line is ever too long and no byte needs escaping.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    public var text: String
    public var html: String
    public var date: Timestamp
    /// Stable per outbox row, so a redelivered message is recognisably the same one.
    public var messageID: String
    /// Where replies go (the tenant's `reply_to`); written only when it is an address
    /// that cannot break the header (`TenantSettings.normalizedReplyTo`).
    public var replyTo: MailAddress?
    /// An iCalendar invitation (REQUEST or CANCEL) to carry, if any.
    public var calendar: ICalendar?

    public init(from: MailAddress, to: MailAddress, subject: String, text: String, html: String, date: Timestamp, messageID: String,
                replyTo: MailAddress? = nil, calendar: ICalendar? = nil) {
        self.calendar = calendar
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageID = messageID
        self.replyTo = replyTo
    }

    /// The message with CRLF line endings, ready for SMTP DATA (before dot-stuffing) or a
    /// `.eml` file.
    public func rendered() -> String {
        let boundary = "=_ats_" + String(messageID.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }, radix: 36)
        var lines: [String] = [
            "Date: " + MailMessage.rfc5322Date(date),
            from.headerField("From"),
        ]
        // Checked again here, whatever stored it: an address with CR, LF, `<` or `>`
        // could add a header, so such a Reply-To is left out rather than written.
        if let replyTo, TenantSettings.normalizedReplyTo(replyTo.address) == replyTo.address { lines.append(replyTo.headerField("Reply-To")) }
        lines += [
            to.headerField("To"),
            MailMessage.headerField("Subject", subject),
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        // The calendar's method is one of two fixed words, and boundaries and file names
        // are ours: nothing from the payload reaches a MIME header unencoded.
        let outer = boundary + "_mixed"
        if calendar != nil {
            lines += ["Content-Type: multipart/mixed; boundary=\"\(outer)\"", "", "--" + outer]
        }
        lines += [
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
            "--" + boundary,
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        lines += MailMessage.base64Lines(Array(text.utf8))
        lines += ["--" + boundary, "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", ""]
        lines += MailMessage.base64Lines(Array(html.utf8))
        guard let calendar else {
            lines += ["--" + boundary + "--", ""]
            return lines.joined(separator: "\r\n")
        }
        let ics = Array(calendar.rendered().utf8)
        let method = calendar.method.rawValue
        lines += ["--" + boundary, "Content-Type: text/calendar; method=\(method); charset=UTF-8", "Content-Transfer-Encoding: base64", ""]
        lines += MailMessage.base64Lines(ics)
        lines += ["--" + boundary + "--", "", "--" + outer, "Content-Type: application/ics; name=\"invite.ics\"",
                  "Content-Disposition: attachment; filename=\"invite.ics\"", "Content-Transfer-Encoding: base64", ""]
        lines += MailMessage.base64Lines(ics)
        lines += ["--" + outer + "--", ""]
        return lines.joined(separator: "\r\n")
    }

    /// The longest header line we write (RFC 5322 §2.1.1 recommends 78 octets; 998 is
    /// the hard limit). Encoded-words carry 39 bytes each: 64 characters (RFC 2047 allows
    /// 75), so `Subject: ` and one word fit on the first line.
    static let maxLineOctets = 78
    static let encodedWordBytes = 39

    /// `Name: value`, folded (RFC 5322 §2.2.3) so that no line passes 78 octets: the text
    /// as it is when it is printable ASCII whose words each fit on a line, otherwise RFC
    /// 2047 encoded-words.
    public static func headerField(_ name: String, _ text: String) -> String {
        folded(name, plainWords(text, quoted: false) ?? encodedWords(text))
    }

    /// The words of `text` when it may go into a header unencoded: printable ASCII, no
    /// `=?` (which a reader would take for an encoded-word), every word short enough for a
    /// line of its own. `quoted` makes it a quoted-string (no `"` or `\` inside).
    static func plainWords(_ text: String, quoted: Bool) -> [String]? {
        let printable = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F && !(quoted && ($0 == "\"" || $0 == "\\")) }
        guard printable, !text.contains("=?") else { return nil }
        var words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if quoted {
            words[0] = "\"" + words[0]
            words[words.count - 1] += "\""
        }
        guard words.allSatisfy({ $0.utf8.count < maxLineOctets }) else { return nil }
        return words
    }

    /// `=?UTF-8?B?…?=` words for `text` (CR and LF dropped), split between Unicode scalars
    /// (never inside one's UTF-8 bytes, whatever the grapheme clusters), none empty.
    public static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars where scalar != "\r" && scalar != "\n" {
            if chunk.count + scalar.utf8.count > encodedWordBytes {
                words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=")
                chunk.removeAll(keepingCapacity: true)
            }
            chunk += scalar.utf8
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=") }
        return words
    }

    /// `Name:` and the words separated by single spaces, a line break before a word that
    /// would take its line past 78 octets (never before an empty word: no line is only
    /// white space).
    static func folded(_ name: String, _ words: [String]) -> String {
        var out = name + ":"
        var length = out.utf8.count
        var lineHasText = true
        for word in words {
            let count = word.utf8.count
            if count > 0 && lineHasText && length + 1 + count > maxLineOctets {
                out += "\r\n"
                length = 0
                lineHasText = false
            }
            out += " " + word
            length += 1 + count
            if count > 0 { lineHasText = true }
        }
        return out
    }

    static func rfc5322Date(_ t: Timestamp) -> String {
        let iso = t.rfc3339  // YYYY-MM-DDTHH:MM:SS...
        let parts = Array(iso.utf8)
        func num(_ r: Range<Int>) -> Int { Int(String(decoding: parts[r], as: UTF8.self)) ?? 0 }
        let year = num(0..<4), month = num(5..<7), day = num(8..<10)
        let days = t.microseconds >= 0 ? t.microseconds / 86_400_000_000 : (t.microseconds - 86_399_999_999) / 86_400_000_000
        let weekday = Int((days % 7 + 11) % 7)  // 1970-01-01 was a Thursday
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let time = String(decoding: parts[11..<19], as: UTF8.self)
        return "\(names[weekday]), \(day) \(months[max(0, min(11, month - 1))]) \(year) \(time) +0000"
    }

    static func base64Lines(_ bytes: [UInt8]) -> [String] {
        let encoded = Array(Base64.encode(bytes).utf8)
        var lines: [String] = []
        var i = 0
        while i < encoded.count {
            lines.append(String(decoding: encoded[i..<min(i + 76, encoded.count)], as: UTF8.self))
            i += 76
        }
        return lines
    }
}

/// A mailbox: an address and an optional display name.
public struct MailAddress: Sendable, Equatable {
    public var address: String
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// `MAIL_FROM` syntax: `addr@example.com` or `Name <addr@example.com>`.
    public init?(parsing text: String) {
        let trimmed = text.trimming()
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            guard let valid = Validation.normalizedEmail(address) else { return nil }
            let name = String(trimmed[..<open]).trimming().trimmingQuotes
            self.init(valid, name: name.isEmpty ? nil : name)
        } else {
            guard let valid = Validation.normalizedEmail(trimmed) else { return nil }
            self.init(valid)
        }
    }

    /// `Name: "Display Name" <address>` or the name as encoded-words, folded.
    func headerField(_ field: String) -> String {
        guard let name, !name.isEmpty else { return MailMessage.folded(field, ["<\(address)>"]) }
        return MailMessage.folded(field, (MailMessage.plainWords(name, quoted: true) ?? MailMessage.encodedWords(name)) + ["<\(address)>"])
    }
}

extension String {
    var trimmingQuotes: String {
        hasPrefix("\"") && hasSuffix("\"") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}
