/// What a tenant's admins configure (API.md, Tenant settings). The defaults are what a
/// tenant that never configured anything gets: Part 1's behaviour.
public struct TenantSettings: Sendable, Equatable {
    /// Candidates inactive this many days are anonymized (30–3650); nil keeps them.
    public var candidateRetentionDays: Int?
    /// A move to `rejected` must name a rejection reason.
    public var requireRejectionReason: Bool
    /// The display name of the tenant's outgoing mail (`From: "<name>" <MAIL_FROM>`).
    public var mailFromName: String?
    /// The `Reply-To` of the tenant's outgoing mail.
    public var replyTo: String?

    public init(candidateRetentionDays: Int? = nil, requireRejectionReason: Bool = false, mailFromName: String? = nil, replyTo: String? = nil) {
        self.candidateRetentionDays = candidateRetentionDays
        self.requireRejectionReason = requireRejectionReason
        self.mailFromName = mailFromName
        self.replyTo = replyTo
    }

    public static let retentionDays = 30...3650
    public static let mailFromNameLength = 0...100

    /// A display name that can go into a header: at most 100 characters, no control
    /// characters (CR and LF above all: no header injection).
    public static func isValidMailFromName(_ name: String) -> Bool {
        mailFromNameLength.contains(name.unicodeScalars.count) && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// An address that can go into a `Reply-To` header as `<address>`, lower-cased; nil
    /// when it is not one. `local@domain` in printable ASCII without spaces and without
    /// the characters that delimit addresses or comments in a header (`<>()[],;:"\\`),
    /// so it can neither end the field nor add another; the domain holds a dot, not at
    /// either end; 3–254 characters. Nothing is trimmed: the API's schema says exactly this.
    public static func normalizedReplyTo(_ raw: String) -> String? {
        let forbidden: Set<Unicode.Scalar> = ["<", ">", "(", ")", "[", "]", ",", ";", ":", "\"", "\\", "@"]
        let parts = raw.split(separator: "@", omittingEmptySubsequences: false)
        guard (3...254).contains(raw.unicodeScalars.count), parts.count == 2 else { return nil }
        let (local, domain) = (parts[0], parts[1])
        guard [local, domain].allSatisfy({ part in part.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && !forbidden.contains($0) } }),
              !local.isEmpty, domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix(".") else { return nil }
        return raw.lowercased()
    }
}

/// A partial change of the settings: the fields given change, the others stay
/// (`.some(nil)` clears a nullable one).
public struct TenantSettingsChanges: Sendable, Equatable {
    public var candidateRetentionDays: Int??
    public var requireRejectionReason: Bool?
    public var mailFromName: String??
    public var replyTo: String??

    public init(candidateRetentionDays: Int?? = nil, requireRejectionReason: Bool? = nil, mailFromName: String?? = nil, replyTo: String?? = nil) {
        self.candidateRetentionDays = candidateRetentionDays
        self.requireRejectionReason = requireRejectionReason
        self.mailFromName = mailFromName
        self.replyTo = replyTo
    }

    public var isEmpty: Bool { candidateRetentionDays == nil && requireRejectionReason == nil && mailFromName == nil && replyTo == nil }

    public func applied(to settings: TenantSettings) -> TenantSettings {
        var result = settings
        if let value = candidateRetentionDays { result.candidateRetentionDays = value }
        if let value = requireRejectionReason { result.requireRejectionReason = value }
        if let value = mailFromName { result.mailFromName = value }
        if let value = replyTo { result.replyTo = value }
        return result
    }
}
