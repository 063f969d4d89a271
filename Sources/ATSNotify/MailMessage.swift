import ATSDomain
import ATSSupport

/// One e-mail, rendered as RFC 5322 with a MIME multipart/alternative body (plain text
/// and HTML). Non-ASCII header text is RFC 2047-encoded; bodies are base64, so no line
/// is ever too long and no byte needs escaping.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    public var text: String
    public var html: String
    public var date: Timestamp
    /// Stable per outbox row, so a redelivered message is recognisably the same one.
    public var messageID: String

    public init(from: MailAddress, to: MailAddress, subject: String, text: String, html: String, date: Timestamp, messageID: String) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageID = messageID
    }

    /// The message with CRLF line endings, ready for SMTP DATA (before dot-stuffing) or a
    /// `.eml` file.
    public func rendered() -> String {
        let boundary = "=_ats_" + String(messageID.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }, radix: 36)
        var lines: [String] = [
            "Date: " + MailMessage.rfc5322Date(date),
            "From: " + from.header,
            "To: " + to.header,
            "Subject: " + MailMessage.encodedWord(subject),
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
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
        lines += ["--" + boundary + "--", ""]
        return lines.joined(separator: "\r\n")
    }

    /// `=?UTF-8?B?…?=` words for text that is not plain printable ASCII (RFC 2047), split
    /// so no encoded word exceeds 75 characters.
    public static func encodedWord(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } && !text.contains("=?")
        if plain { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39 {  // 39 bytes → 52 base64 characters: lines stay under 78
                words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=")
                chunk = []
            }
            chunk += bytes.filter { $0 != 0x0D && $0 != 0x0A }
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Base64.encode(chunk) + "?=") }
        return words.joined(separator: "\r\n ")
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

    var header: String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        let safe = name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "\\" }
        return (safe ? "\"\(name)\"" : MailMessage.encodedWord(name)) + " <\(address)>"
    }
}

extension String {
    var trimmingQuotes: String {
        hasPrefix("\"") && hasSuffix("\"") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}
