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

    /// `settings` are the tenant's: its `mail_from_name` replaces the display name of
    /// `from` (the address stays MAIL_FROM's, which the mail server may send as), its
    /// `reply_to` becomes the `Reply-To`.
    public static func compose(_ message: OutboxMessage, from: MailAddress, domain: String, settings: TenantSettings = TenantSettings()) throws -> MailMessage {
        let payload = (try? JSONParser.parse(Array(message.payload.utf8))) ?? .object([])
        func field(_ key: String) -> String { payload[key].flatMap { if case .string(let s) = $0 { return s } else { return nil } } ?? "" }
        let job = field("job_title"), company = field("company"), candidate = field("candidate_name")
        let jobLine = company.isEmpty ? job : "\(job) at \(company)"
        let subject: String
        let paragraphs: [String]
        guard let kind = NotificationKind(rawValue: message.kind) else { throw UnknownKind(kind: message.kind) }
        switch kind {
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
        }
        let text = paragraphs.joined(separator: "\r\n\r\n") + "\r\n"
        let html = "<!doctype html><html><body>" + paragraphs.map { "<p>\(escapeHTML($0))</p>" }.joined() + "</body></html>"
        var sender = from
        if let name = settings.mailFromName, !name.isEmpty { sender.name = name }
        return MailMessage(from: sender, to: MailAddress(message.recipient, name: kind == .newApplicationForJob ? nil : (candidate.isEmpty ? nil : candidate)),
                           subject: subject, text: text, html: html, date: .now(),
                           messageID: "outbox-\(message.tenantID)-\(message.id)@\(domain)", replyTo: settings.replyTo.map { MailAddress($0) })
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
