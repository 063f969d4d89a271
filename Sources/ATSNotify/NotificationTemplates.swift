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

    public static func compose(_ message: OutboxMessage, from: MailAddress, domain: String, opener: SecretOpener? = nil) throws -> MailMessage {
        let payload = (try? JSONParser.parse(Array(message.payload.utf8))) ?? .object([])
        func field(_ key: String) -> String { payload[key].flatMap { if case .string(let s) = $0 { return s } else { return nil } } ?? "" }
        let job = field("job_title"), company = field("company"), candidate = field("candidate_name")
        let jobLine = company.isEmpty ? job : "\(job) at \(company)"
        let subject: String
        var paragraphs: [String]
        /// A link in the text, made a hyperlink in the HTML part.
        var link: String?
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
        let recipientName: String
        switch kind {
        case .newApplicationForJob: recipientName = ""
        case .passwordReset, .invitation: recipientName = field("full_name")
        default: recipientName = candidate
        }
        return MailMessage(from: from, to: MailAddress(message.recipient, name: recipientName.isEmpty ? nil : recipientName),
                           subject: subject, text: text, html: html, date: .now(),
                           messageID: "outbox-\(message.tenantID)-\(message.id)@\(domain)")
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
