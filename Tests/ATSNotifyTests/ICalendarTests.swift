import ATSDomain
import ATSNotify
import ATSSupport
import Foundation
import Testing

@Suite("iCalendar: escaping, folding, the invitation's MIME structure")
struct ICalendarTests {
    private func calendar(summary: String = "Interview", method: ICalendar.Method = .request) throws -> ICalendar {
        ICalendar(method: method, uid: "interview-acme-7@acme.io", sequence: 2, stamp: try #require(Timestamp(rfc3339: "2026-11-30T10:00:00.5Z")),
                  start: try #require(Timestamp(rfc3339: "2026-12-01T15:00:00+01:00")), end: try #require(Timestamp(rfc3339: "2026-12-01T15:00:00Z")),
                  summary: summary, location: "Room 1; floor 2", description: "Video: https://meet.example/a,b", url: "https://meet.example/a,b",
                  organizer: .init(name: "ACME \"Hiring\"", email: "no-reply@acme.io", role: "CHAIR"),
                  attendees: [.init(name: "Zoë Ünlü", email: "zoe@x.io"), .init(name: "Rec", email: "rec@acme.io")])
    }

    @Test("TEXT escaping: backslash, semicolon, comma, newlines; control characters dropped")
    func escaping() {
        #expect(ICalendar.escape(#"a\b;c,d"#) == #"a\\b\;c\,d"#)
        #expect(ICalendar.escape("one\ntwo\r\nthree\rfour") == #"one\ntwo\nthree\nfour"#)
        #expect(ICalendar.escape("bell\u{7}tab\there") == "belltab\there")
        #expect(ICalendar.escape("Zoë: 面接") == "Zoë: 面接")
    }

    @Test("folding at 75 octets, never inside a UTF-8 sequence; continuation lines start with one space")
    func folding() throws {
        #expect(ICalendar.fold(String(repeating: "a", count: 75)) == String(repeating: "a", count: 75))
        let long = "SUMMARY:" + String(repeating: "面接", count: 40) + "🎉é"  // 3-, 4- and 2-byte scalars
        let folded = ICalendar.fold(long)
        let lines = folded.components(separatedBy: "\r\n")
        #expect(lines.count > 3)
        for (i, line) in lines.enumerated() {
            #expect(line.utf8.count <= 75, "line \(i) is \(line.utf8.count) octets")
            if i > 0 { #expect(line.hasPrefix(" ") && !line.hasPrefix("  ")) }
            // Each line is valid UTF-8 by itself: decoding and re-encoding keeps its bytes.
            #expect(String(validating: Array(line.utf8), as: UTF8.self) != nil)
        }
        let unfolded = lines.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst()) }.joined()
        #expect(unfolded == long, "unfolding gives the line back")
        // A line whose 75th octet falls inside a scalar breaks before it.
        let edge = String(repeating: "a", count: 74) + "é"
        #expect(ICalendar.fold(edge) == String(repeating: "a", count: 74) + "\r\n é")
    }

    @Test("the calendar: fields, UTC times, attendees, CRLF everywhere")
    func rendering() throws {
        let text = try calendar(summary: String(repeating: "Entretien d’embauche, ", count: 6)).rendered()
        #expect(text.hasSuffix("\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        for line in ["BEGIN:VCALENDAR", "PRODID:-//ATS//Interviews//EN", "VERSION:2.0", "METHOD:REQUEST", "UID:interview-acme-7@acme.io", "SEQUENCE:2",
                     "DTSTAMP:20261130T100000Z", "DTSTART:20261201T140000Z", "DTEND:20261201T150000Z", #"LOCATION:Room 1\; floor 2"#,
                     #"DESCRIPTION:Video: https://meet.example/a\,b"#, "URL:https://meet.example/a,b",
                     "ORGANIZER;CN=\"ACME Hiring\":mailto:no-reply@acme.io",
                     "ATTENDEE;CN=\"Zoë Ünlü\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:zoe@x.io",
                     "STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"] {
            #expect(unfolded.components(separatedBy: "\r\n").contains(line), "missing \(line)")
        }
        #expect(try calendar(method: .cancel).rendered().contains("\r\nSTATUS:CANCELLED\r\n"))
    }

    @Test("a mail with an invitation: multipart/mixed of multipart/alternative (text, HTML, text/calendar) and invite.ics")
    func mimeStructure() throws {
        let invite = try calendar()
        let mail = MailMessage(from: MailAddress("no-reply@acme.io"), to: MailAddress("zoe@x.io", name: "Zoë"), subject: "Invitation: Interview\r\nBcc: x@y.z",
                               text: "Hello", html: "<p>Hello</p>", date: Timestamp(microseconds: 0), messageID: "outbox-1-2@acme.io", calendar: invite)
        let rendered = mail.rendered()
        let lines = rendered.components(separatedBy: "\r\n")
        #expect(!lines.contains { $0.hasPrefix("Bcc:") }, "no header injection through the subject")
        let mixed = try #require(lines.first { $0.hasPrefix("Content-Type: multipart/mixed; boundary=") })
        let alternative = try #require(lines.firstIndex { $0.hasPrefix("Content-Type: multipart/alternative; boundary=") })
        #expect(lines.firstIndex(of: mixed).map { $0 < alternative } == true)
        #expect(lines.contains("Content-Type: text/calendar; method=REQUEST; charset=UTF-8"))
        #expect(lines.contains("Content-Type: application/ics; name=\"invite.ics\""))
        #expect(lines.contains("Content-Disposition: attachment; filename=\"invite.ics\""))
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        let encoded = Base64.encode(Array(invite.rendered().utf8))
        #expect(rendered.replacingOccurrences(of: "\r\n", with: "").components(separatedBy: encoded).count == 3, "the calendar twice: part and attachment")
        // Without a calendar the message stays multipart/alternative, as before.
        var plain = mail
        plain.calendar = nil
        #expect(!plain.rendered().contains("multipart/mixed") && plain.rendered().contains("multipart/alternative"))
    }
}
