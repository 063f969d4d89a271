import ATSDomain
import ATSSupport
/// Where and how to submit mail, from `SMTP_URL`:
/// `smtp://[user:password@]host[:port]` (STARTTLS when the server offers it) or
/// `smtps://[user:password@]host[:port]` (TLS from the first byte).
public struct SMTPSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var implicitTLS: Bool
    public var username: String?
    public var password: String?
    /// A CA bundle to trust instead of the system's (a private mail relay; the tests).
    public var caFile: String?
    /// Seconds one wait for the server (connect, a read, a write) may take.
    public var timeout: Double = 30
    /// Seconds a whole session may take, however the server paces its bytes: shorter
    /// than the delivery's lease (`deadline(forLease:)`), so no delivery outlives its claim.
    public var deadline: Double = 90
    /// Refuse to send over a connection without TLS (`SMTP_REQUIRE_TLS`): with `smtp://`
    /// a man in the middle can strip STARTTLS from the server's EHLO reply.
    public var requireTLS = false

    /// The session deadline for a delivery lease: three quarters of it, so the result is
    /// recorded before the lease runs out.
    public static func deadline(forLease lease: Double) -> Double { max(0.5, lease * 0.75) }

    /// nil when the URL is not one of the two forms (the caller names the variable).
    public init?(url: String, caFile: String? = nil) {
        let implicitTLS: Bool
        let rest: Substring
        if url.hasPrefix("smtp://") { implicitTLS = false; rest = url.dropFirst(7) } else if url.hasPrefix("smtps://") { implicitTLS = true; rest = url.dropFirst(8) } else { return nil }
        var hostPart = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
        if let at = hostPart.lastIndex(of: "@") {
            let credentials = hostPart[..<at].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            username = SMTPSettings.decode(credentials[0])
            password = credentials.count > 1 ? SMTPSettings.decode(credentials[1]) : ""
            guard username != nil, password != nil else { return nil }
            hostPart = hostPart[hostPart.index(after: at)...]
        }
        var port = implicitTLS ? 465 : 25
        var host = hostPart
        if let colon = hostPart.lastIndex(of: ":"), !hostPart.hasSuffix("]") {
            guard let p = Int(hostPart[hostPart.index(after: colon)...]), (1...65535).contains(p) else { return nil }
            port = p
            host = hostPart[..<colon]
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        self.host = String(host)
        self.port = port
        self.implicitTLS = implicitTLS
        self.caFile = caFile
    }

    private static func decode(_ s: Substring) -> String? {
        var bytes: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "%") {
                guard let h = it.next(), let l = it.next(), let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(v)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    var isLoopback: Bool { host == "localhost" || host.hasPrefix("127.") || host == "::1" }
}

/// Submits each message in its own SMTP session: EHLO, STARTTLS when offered (required
/// with `requireTLS`; or TLS from the start for smtps), AUTH PLAIN or LOGIN when credentials are given (never over
/// plain text except to a loopback relay), MAIL/RCPT/DATA with dot-stuffing, QUIT.
/// SMTP cannot make delivery exactly-once; the stable Message-ID of each outbox row lets
/// a receiver recognise the rare duplicate (a crash between the server's 250 and the row
/// being marked sent).
public struct SMTPTransport: MailTransport {
    public let settings: SMTPSettings
    /// The name we greet with (EHLO).
    public let heloName: String

    public init(settings: SMTPSettings, heloName: String) {
        self.settings = settings
        self.heloName = heloName
    }

    public var summary: String {
        "sending e-mail through \(settings.implicitTLS ? "smtps" : "smtp")://\(settings.host):\(settings.port)\(settings.username == nil ? "" : " with authentication")"
    }

    public func deliver(_ message: MailMessage, key: String) throws {
        let connection = try SMTPConnection(host: settings.host, port: settings.port, timeout: settings.timeout, deadline: settings.deadline)
        if settings.implicitTLS { try connection.startTLS(caFile: settings.caFile) }
        try expect(connection, 220, "greeting")
        var capabilities = try ehlo(connection)
        if !connection.isEncrypted && capabilities.contains("STARTTLS") {
            try connection.write("STARTTLS\r\n")
            try expect(connection, 220, "STARTTLS")
            // Nothing may come between the 220 and the handshake: what did was sent in
            // plain text and would be read as replies of the encrypted session.
            guard !connection.hasUnreadInput else {
                throw SMTPError("\(settings.host) sent data after its STARTTLS reply, before TLS started (a reply injection?): refusing to go on")
            }
            try connection.startTLS(caFile: settings.caFile)
            capabilities = try ehlo(connection)
        }
        guard connection.isEncrypted || !settings.requireTLS else {
            throw SMTPError("\(settings.host) did not offer STARTTLS and SMTP_REQUIRE_TLS is on: refusing to send without TLS")
        }
        if let username = settings.username, let password = settings.password {
            guard connection.isEncrypted || settings.isLoopback else {
                throw SMTPError("refusing to send SMTP credentials without TLS to \(settings.host)")
            }
            try authenticate(connection, capabilities: capabilities, username: username, password: password)
        }
        try connection.write("MAIL FROM:<\(message.from.address)>\r\n")
        try expect(connection, 250, "MAIL FROM")
        try connection.write("RCPT TO:<\(message.to.address)>\r\n")
        try expect(connection, 250, "RCPT TO", alsoAccept: 251)
        try connection.write("DATA\r\n")
        try expect(connection, 354, "DATA")
        try connection.write(SMTPTransport.dotStuffed(message.rendered()) + "\r\n.\r\n")
        try expect(connection, 250, "message")
        try? connection.write("QUIT\r\n")
    }

    /// The server's extensions, one per line, upper-cased (`STARTTLS`, `AUTH PLAIN LOGIN`).
    private func ehlo(_ connection: SMTPConnection) throws -> [String] {
        try connection.write("EHLO \(heloName)\r\n")
        let reply = try connection.readReply()
        guard reply.code == 250 else { throw SMTPError("EHLO refused: \(reply.code) \(reply.lines.first ?? "")") }
        return reply.lines.dropFirst().map { $0.uppercased() }
    }

    private func authenticate(_ connection: SMTPConnection, capabilities: [String], username: String, password: String) throws {
        let auth = capabilities.first { $0.hasPrefix("AUTH ") }?.split(separator: " ").map(String.init) ?? []
        if auth.contains("PLAIN") || auth.isEmpty {
            let token = Base64.encode(Array(("\u{0}" + username + "\u{0}" + password).utf8))
            try connection.write("AUTH PLAIN \(token)\r\n")
            try expect(connection, 235, "AUTH PLAIN")
        } else if auth.contains("LOGIN") {
            try connection.write("AUTH LOGIN\r\n")
            try expect(connection, 334, "AUTH LOGIN")
            try connection.write(Base64.encode(Array(username.utf8)) + "\r\n")
            try expect(connection, 334, "AUTH LOGIN user")
            try connection.write(Base64.encode(Array(password.utf8)) + "\r\n")
            try expect(connection, 235, "AUTH LOGIN password")
        } else {
            throw SMTPError("the server offers no AUTH mechanism we support (PLAIN, LOGIN)")
        }
    }

    private func expect(_ connection: SMTPConnection, _ code: Int, _ step: String, alsoAccept: Int? = nil) throws {
        let reply = try connection.readReply()
        guard reply.code == code || reply.code == alsoAccept else {
            throw SMTPError("\(step) refused: \(reply.code) \(reply.lines.first ?? "")")
        }
    }

    /// RFC 5321 §4.5.2: a line that starts with "." gets another "." in front.
    static func dotStuffed(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        var atLineStart = true
        for byte in text.utf8 {
            if atLineStart && byte == UInt8(ascii: ".") { out.append(byte) }
            out.append(byte)
            atLineStart = byte == 0x0A
        }
        return String(decoding: out, as: UTF8.self)
    }
}
