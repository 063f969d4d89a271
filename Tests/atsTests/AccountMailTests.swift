import ATSDomain
import ATSSupport
import ATSFeatures
import ATSPersistence
import ATSTestSupport
import Foundation
import Testing

/// The reset flow end to end through the real `ats serve` and real mail: request a reset,
/// read the mail as its recipient would, take the token from it, confirm, log in.
@Suite("Password reset through real mail (ats serve, .eml files and SMTP)", .serialized, .timeLimit(.minutes(3)))
struct AccountMailTests {
    /// The decoded text/plain part of a mail as `MailMessage` writes it (base64 body).
    static func plainText(_ mail: String) -> String? {
        let lines = mail.components(separatedBy: "\r\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("Content-Type: text/plain") }),
              let blank = lines[start...].firstIndex(of: "") else { return nil }
        let body = lines[(blank + 1)...].prefix { !$0.hasPrefix("--") && !$0.isEmpty }.joined()
        return Data(base64Encoded: body).flatMap { String(data: $0, encoding: .utf8) }
    }

    static func token(in text: String) -> String? {
        guard let range = text.range(of: "token=") else { return nil }
        return String(text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    func run(_ rig: NotificationRig, mails: () -> [String]) throws {
        let daemon = try rig.serve()
        var api = APIClient(port: try daemon.port())
        #expect(try api.call("POST", "/api/auth/signup", #"{"email":"ann@x.io","password":"correct horse"}"#).status == 201)
        #expect(try api.call("POST", "/api/auth/password-reset", #"{"email":"ann@x.io"}"#).status == 202)
        #expect(eventually(15) { mails().contains { $0.contains("Reset your password") } }, "\(daemon.log)")
        let mail = try #require(mails().first { $0.contains("Reset your password") })
        let text = try #require(Self.plainText(mail))
        #expect(text.contains("https://app.example.com/reset?token="))
        let token = try #require(Self.token(in: text))
        #expect(token.count == 43)
        // Sealed in the outbox: the clear token is in no row.
        #expect(try rig.rows().allSatisfy { !$0.payload.contains(token) } && !mail.contains(token))
        #expect(try api.call("POST", "/api/auth/password-reset/confirm", #"{"token":"\#(token)","new_password":"battery staple"}"#).status == 200)
        try api.login("ann@x.io", "battery staple")
        #expect(try api.call("GET", "/api/auth/me").status == 200)
        #expect(daemon.stop() == 0)
    }

    @Test("through the SMTP sink")
    func smtp() throws {
        let rig = try NotificationRig(.sqlite, redis: false, maxAttempts: 8)
        rig.environment["ATS_RESET_URL"] = "https://app.example.com/reset?token={token}"
        try run(rig) { rig.sink.messages }
    }

    @Test("through the .eml file transport")
    func files() throws {
        let rig = try NotificationRig(.sqlite, redis: false, maxAttempts: 8)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-reset-mail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        rig.environment["SMTP_URL"] = nil
        rig.environment["ATS_MAIL_DIR"] = directory.path
        rig.environment["ATS_RESET_URL"] = "https://app.example.com/reset?token={token}"
        try run(rig) {
            ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".eml") }
                .compactMap { try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
        }
    }
}
