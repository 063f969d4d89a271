import ATSDomain
import ATSSupport

/// Turns an outbox row into the e-mail it stands for. Everything the text needs is in
/// the row's payload (written with the business change), so composing never reads the
/// business tables.
public enum NotificationTemplates {
    public struct UnknownKind: Error, CustomStringConvertible {
        public let kind: String
        public var description: String { "no template for notification kind '\(kind)'" }
    }

    /// A sealed secret in a payload (reset and invitation tokens) could not be opened: no
    /// opener (the process lacks SECRET_KEY) or another key sealed it. The secret is
    /// never part of the message.
    public struct SealedSecretUnavailable: Error, CustomStringConvertible {
        public var description: String { "the sealed token cannot be opened with this process's SECRET_KEY" }
    }

    /// Opens a sealed secret of a payload (`SecretSealer.open`, from SECRET_KEY): nil when
    /// it cannot. Only composing calls it, so the clear token exists only in the mail.
    public typealias SecretOpener = @Sendable (String) -> String?

    /// `settings` are the tenant's: its `mail_from_name` replaces the display name of
    /// `from` (the address stays MAIL_FROM's, which the mail server may send as), its
    /// `reply_to` becomes the `Reply-To`.
    public static func compose(_ message: OutboxMessage, from: MailAddress, domain: String, settings: TenantSettings = TenantSettings(),
                               opener: SecretOpener? = nil) throws -> MailMessage {
        let payload = (try? JSONParser.parse(Array(message.payload.utf8))) ?? .object([])
        func field(_ key: String) -> String { payload[key].flatMap { if case .string(let s) = $0 { return s } else { return nil } } ?? "" }
        let job = field("job_title"), company = field("company"), candidate = field("candidate_name")
        let jobLine = company.isEmpty ? job : "\(job) at \(company)"
        let subject: String
        var paragraphs: [String]
        /// A link in the text, made a hyperlink in the HTML part.
        var link: String?
        guard let kind = NotificationKind(rawValue: message.kind) else { throw UnknownKind(kind: message.kind) }
        var calendar: ICalendar?
        switch kind {
        case .interviewInvitation, .interviewCancellation:
            let invite = interviewCalendar(payload, method: kind == .interviewCancellation ? .cancel : .request, recipient: message.recipient,
                                           from: from, domain: domain)
            calendar = invite
            let when = "\(invite.start.rfc3339) to \(invite.end.rfc3339) (UTC)"
            let hello = "Hello \(field("recipient_name")),"
            if kind == .interviewCancellation {
                subject = "Cancelled: \(invite.summary)"
                paragraphs = [hello, field("recipient_role") == "removed"
                                ? "You are no longer an interviewer for \(invite.summary), \(when)."
                                : "The interview \(invite.summary), \(when), has been cancelled.",
                              "Your calendar will remove it when you open the attached invitation."]
            } else {
                subject = (field("change") == "updated" ? "Updated invitation: " : "Invitation: ") + "\(invite.summary) at \(invite.start.rfc3339)"
                paragraphs = [hello, "You are invited to \(invite.summary) for \(jobLine) with \(candidate).", "When: \(when)"]
                    + (invite.location.map { ["Where: \($0)"] } ?? []) + (invite.url.map { ["Video: \($0)"] } ?? [])
                    + ["The attached invitation adds it to your calendar."]
            }
        case .applicationReceived:
            subject = "We received your application: \(jobLine)"
            paragraphs = ["Hello \(candidate),", "Thank you for applying for \(jobLine). We have received your application and will be in touch as it moves along.",
                          "You can follow its progress in your account."]
        case .newApplicationForJob:
            subject = "New application for \(job): \(candidate)"
            paragraphs = ["Hello \(field("recruiter_name")),", "\(candidate) (\(field("candidate_email"))) applied for \(jobLine).",
                          "The application is in stage applied."]
        case .stageChanged:
            let stage = field("to_stage")
            switch stage {
            case "hired":
                subject = "Congratulations! You are hired: \(jobLine)"
                paragraphs = ["Hello \(candidate),", "We are delighted to tell you that you have been hired for \(jobLine). Welcome aboard!",
                              "We will contact you shortly about the next steps."]
            case "rejected":
                subject = "Update on your application: \(jobLine)"
                paragraphs = ["Hello \(candidate),", "Thank you for your interest in \(jobLine). After careful consideration we have decided not to move forward with your application.",
                              "We wish you every success in your search."]
            default:
                subject = "Your application moved to \(stage): \(jobLine)"
                paragraphs = ["Hello \(candidate),", "Your application for \(jobLine) has moved from \(field("from_stage")) to \(stage).",
                              "We will let you know about the next step."]
            }
        case .webhookDisabled:
            let reason = field("reason") == "gone" ? "it answered 410 Gone" : "its last \(Webhook.failureLimit) delivery attempts failed"
            subject = "Webhook disabled: \(field("url"))"
            paragraphs = ["Hello \(field("recipient_name")),",
                          "The webhook \(field("url")) (id \(field("webhook_id"))) of \(field("tenant_name")) has been disabled because \(reason).",
                          "No more events are sent to it. Once the receiver works again, turn it back on (PATCH /api/webhooks/\(field("webhook_id")) with {\"active\": true}) and redeliver what it missed from its delivery log."]
        case .passwordReset, .invitation:
            guard let sealed = payload["sealed_token"].flatMap({ if case .string(let s) = $0 { return s } else { return nil } }),
                  let token = opener?(sealed) else { throw SealedSecretUnavailable() }
            let tenant = field("tenant_name"), name = field("full_name")
            let template = field("link_template")
            // The token is base64url: nothing in it needs escaping in a URL.
            link = template.isEmpty ? nil : template.replacing("{token}", with: token)
            let greeting = name.isEmpty ? "Hello," : "Hello \(name),"
            if kind == .passwordReset {
                let minutes = payload["expires_minutes"].flatMap { if case .int(let n) = $0 { return n } else { return nil } } ?? Int64(30)
                subject = "Reset your password for \(tenant)"
                paragraphs = [greeting, "Someone, hopefully you, asked to reset the password of your \(tenant) account."]
                paragraphs.append(link.map { "To choose a new password, open this link within \(minutes) minutes: \($0)" }
                                  ?? "To choose a new password, enter this reset code within \(minutes) minutes: \(token)")
                paragraphs.append("If you did not ask for this, ignore this mail: your password stays as it is.")
            } else {
                let days = payload["expires_days"].flatMap { if case .int(let n) = $0 { return n } else { return nil } } ?? Int64(7)
                let inviter = field("inviter_name")
                subject = "You are invited to \(tenant)"
                paragraphs = [greeting, inviter.isEmpty ? "You have been invited to \(tenant)." : "\(inviter) invited you to \(tenant)."]
                paragraphs.append(link.map { "To set your password and sign in, open this link within \(days) days: \($0)" }
                                  ?? "To set your password and sign in, enter this invitation code within \(days) days: \(token)")
                paragraphs.append("If you did not expect this, ignore this mail.")
            }
        }
        let text = paragraphs.joined(separator: "\r\n\r\n") + "\r\n"
        let html = "<!doctype html><html><body>" + paragraphs.map { paragraph in
            var escaped = escapeHTML(paragraph)
            if let link {
                let target = escapeHTML(link)
                escaped = escaped.replacing(target, with: "<a href=\"\(target)\">\(target)</a>")
            }
            return "<p>\(escaped)</p>"
        }.joined() + "</body></html>"
        var sender = from
        if let name = settings.mailFromName, !name.isEmpty { sender.name = name }
        let toName: String
        switch kind {
        case _ where calendar != nil: toName = field("recipient_name")
        case .newApplicationForJob: toName = ""
        case .passwordReset, .invitation: toName = field("full_name")
        case .webhookDisabled: toName = field("recipient_name")
        default: toName = candidate
        }
        return MailMessage(from: sender, to: MailAddress(message.recipient, name: toName.isEmpty ? nil : toName),
                           subject: subject, text: text, html: html, date: .now(),
                           messageID: "outbox-\(message.tenantID)-\(message.id)@\(domain)", replyTo: settings.replyTo.map { MailAddress($0) },
                           calendar: calendar)
    }

    /// The iCalendar event of an interview mail's payload: one UID per interview
    /// (`interview-<tenant>-<id>@<domain>`), its stored SEQUENCE, times in UTC, the
    /// tenant's From address as ORGANIZER, the candidate and the interviewers as
    /// attendees (a CANCEL to a removed interviewer names only them).
    static func interviewCalendar(_ payload: JSONValue, method: ICalendar.Method, recipient: String, from: MailAddress, domain: String) -> ICalendar {
        func text(_ key: String) -> String? { payload[key].flatMap { if case .string(let s) = $0 { return s } else { return nil } } }
        func int(_ key: String) -> Int64 { payload[key].flatMap { if case .int(let n) = $0 { return n } else { return nil } } ?? 0 }
        func person(_ value: JSONValue) -> ICalendar.Attendee? {
            guard case .string(let email)? = value["email"] else { return nil }
            let name = value["name"].flatMap { if case .string(let s) = $0 { return s } else { return nil } } ?? email
            return ICalendar.Attendee(name: name, email: email)
        }
        var attendees: [ICalendar.Attendee] = []
        if text("recipient_role") == "removed" {
            attendees = [ICalendar.Attendee(name: text("recipient_name") ?? recipient, email: recipient)]
        } else {
            if let candidate = payload["candidate"].flatMap(person) { attendees.append(candidate) }
            if case .array(let people)? = payload["interviewers"] { attendees += people.compactMap(person) }
        }
        let now = Timestamp.now()
        let start = text("starts_at").flatMap { Timestamp(rfc3339: $0) } ?? now
        let job = text("job_title") ?? "", company = text("company") ?? ""
        let jobLine = company.isEmpty ? job : "\(job) at \(company)"
        let video = text("video_url")
        var description = "Interview for \(jobLine) with \(text("candidate_name") ?? "")."
        if let video { description += "\nVideo: \(video)" }
        if let location = text("location") { description += "\nLocation: \(location)" }
        let summary = text("title") ?? "Interview"
        return ICalendar(method: method, uid: "interview-\(text("tenant") ?? "")-\(int("interview_id"))@\(domain)", sequence: int("sequence"),
                         stamp: text("stamp").flatMap { Timestamp(rfc3339: $0) } ?? now, start: start,
                         end: text("ends_at").flatMap { Timestamp(rfc3339: $0) } ?? start, summary: summary, location: text("location"),
                         description: description, url: video, organizer: ICalendar.Attendee(name: from.name ?? from.address, email: from.address, role: "CHAIR"),
                         attendees: attendees)
    }

    static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
