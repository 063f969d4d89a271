import ATSSupport

/// The kinds of resource an audit entry is about (API.md, Audit log: `resource_type`).
public enum AuditResourceType: String, Sendable, CaseIterable {
    case application, job, user, candidate, note, interview, scorecard, document
    case apiKey = "api_key"
    case webhook, pipeline
    case rejectionReason = "rejection_reason"
    case tenant
}

/// What an audit entry records (`action`): `<resource_type>.<verb>`, named as the webhook
/// event where there is one, and `auth.*` for sessions and passwords (whose resource is
/// the user). A new kind of write is a new case here and one `UnitOfWork.audit` call in
/// its service.
public enum AuditAction: String, Sendable, CaseIterable {
    case applicationCreated = "application.created"
    case applicationStageChanged = "application.stage_changed"
    case applicationReopened = "application.reopened"
    case candidateCreated = "candidate.created"
    case candidateUpdated = "candidate.updated"
    case candidateMerged = "candidate.merged"
    case candidateAnonymized = "candidate.anonymized"
    case jobCreated = "job.created"
    case jobUpdated = "job.updated"
    case jobDeleted = "job.deleted"
    case interviewScheduled = "interview.scheduled"
    case interviewUpdated = "interview.updated"
    case interviewCancelled = "interview.cancelled"
    case scorecardSubmitted = "scorecard.submitted"
    case scorecardUpdated = "scorecard.updated"
    case noteCreated = "note.created"
    case noteDeleted = "note.deleted"
    case documentUploaded = "document.uploaded"
    case documentDeleted = "document.deleted"
    case userCreated = "user.created"
    case userUpdated = "user.updated"
    case apiKeyCreated = "api_key.created"
    case apiKeyRevoked = "api_key.revoked"
    case webhookCreated = "webhook.created"
    case webhookUpdated = "webhook.updated"
    case webhookDeleted = "webhook.deleted"
    /// The secret itself is never recorded: only that it changed.
    case webhookSecretRotated = "webhook.secret_rotated"
    case pipelineUpdated = "pipeline.updated"
    case rejectionReasonCreated = "rejection_reason.created"
    case rejectionReasonUpdated = "rejection_reason.updated"
    case tenantUpdated = "tenant.updated"
    case login = "auth.login"
    case loginFailed = "auth.login_failed"
    case logout = "auth.logout"
    case passwordChanged = "auth.password_changed"
    case passwordReset = "auth.password_reset"

    /// The part before the dot; `auth.*` is about a user.
    public var resourceType: AuditResourceType {
        let prefix = rawValue.prefix { $0 != "." }
        return AuditResourceType(rawValue: String(prefix)) ?? .user
    }
}

/// `changes`: each changed field with its old and new value, in order. A field whose
/// name says it holds a secret (password, hash, token, key, secret) is never kept,
/// whoever builds the value: the audit log is read by every admin and kept 400 days.
public struct AuditChanges: Sendable {
    public private(set) var fields: [(field: String, old: JSONValue, new: JSONValue)] = []

    public init() {}

    /// Every field of something new that has a value (old: null).
    public static func created(_ fields: [(String, JSONValue)]) -> AuditChanges {
        var changes = AuditChanges()
        for (name, value) in fields where value != .null { changes.set(name, old: .null, new: value) }
        return changes
    }

    /// Every field of something removed that had a value (new: null).
    public static func deleted(_ fields: [(String, JSONValue)]) -> AuditChanges {
        var changes = AuditChanges()
        for (name, value) in fields where value != .null { changes.set(name, old: value, new: .null) }
        return changes
    }

    /// The fields whose values differ between two snapshots of the same thing (the same
    /// field names; one missing from `new` counts as null).
    public static func diff(_ old: [(String, JSONValue)], _ new: [(String, JSONValue)]) -> AuditChanges {
        var changes = AuditChanges()
        for (name, before) in old {
            let after = new.first { $0.0 == name }?.1 ?? .null
            if before != after { changes.set(name, old: before, new: after) }
        }
        return changes
    }

    public mutating func set(_ field: String, old: JSONValue, new: JSONValue) {
        guard !Self.isSecret(field) else { return }
        fields.removeAll { $0.field == field }
        if Self.freeTextFields.contains(field) {
            fields.append((field, Self.lengthOnly(old), Self.lengthOnly(new)))
        } else {
            fields.append((field, old, new))
        }
    }

    /// Free text (a job's description, a note's body, a scorecard's notes, a cover
    /// letter) is recorded as `{"length": n}`: that it changed, not what it says. It is
    /// often personal, and anonymization cannot reach into the append-only log.
    public static let freeTextFields: Set<String> = ["description", "body", "notes", "note", "cover_letter"]

    private static func lengthOnly(_ value: JSONValue) -> JSONValue {
        guard case .string(let text) = value else { return value }
        return .object([("length", .int(Int64(text.unicodeScalars.count)))])
    }

    public var isEmpty: Bool { fields.isEmpty }

    /// `{field: {old, new}}`.
    public var json: JSONValue { .object(fields.map { ($0.field, .object([("old", $0.old), ("new", $0.new)])) }) }

    static let secretWords = ["password", "hash", "token", "secret", "key"]

    public static func isSecret(_ field: String) -> Bool {
        let lower = field.lowercased()
        return secretWords.contains { lower.contains($0) }
    }
}

/// One entry of the audit log as stored.
public struct AuditEvent: Sendable, Equatable {
    public var id: Int64
    public var actorID: UserID?
    public var apiKeyID: Int64?
    /// An `AuditAction` name (kept as text: an entry outlives the code that wrote it).
    public var action: String
    public var resourceType: String
    public var resourceID: Int64?
    public var requestID: String?
    public var ip: String?
    public var createdAt: Timestamp
    public var changes: JSONValue

    public init(id: Int64, actorID: UserID?, apiKeyID: Int64?, action: String, resourceType: String, resourceID: Int64?, requestID: String?,
                ip: String?, createdAt: Timestamp, changes: JSONValue) {
        self.id = id
        self.actorID = actorID
        self.apiKeyID = apiKeyID
        self.action = action
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.requestID = requestID
        self.ip = ip
        self.createdAt = createdAt
        self.changes = changes
    }
}

/// A new entry: what a service knows (who, what, which, how it changed) and what the
/// request's `AuditContext` adds (request id, client address).
public struct NewAuditEvent: Sendable {
    public var actorID: UserID?
    public var apiKeyID: Int64?
    public var action: AuditAction
    public var resourceID: Int64?
    public var requestID: String?
    public var ip: String?
    public var changes: AuditChanges

    public init(actorID: UserID?, apiKeyID: Int64?, action: AuditAction, resourceID: Int64?, requestID: String?, ip: String?, changes: AuditChanges) {
        self.actorID = actorID
        self.apiKeyID = apiKeyID
        self.action = action
        self.resourceID = resourceID
        self.requestID = requestID
        self.ip = ip
        self.changes = changes
    }
}

/// The `GET /api/audit-events` filters; nil is "any". `from` inclusive, `to` exclusive.
public struct AuditFilter: Sendable, Equatable {
    public var actorID: UserID?
    public var action: String?
    public var resourceType: String?
    public var resourceID: Int64?
    public var from: Timestamp?
    public var to: Timestamp?

    public init(actorID: UserID? = nil, action: String? = nil, resourceType: String? = nil, resourceID: Int64? = nil, from: Timestamp? = nil,
                to: Timestamp? = nil) {
        self.actorID = actorID
        self.action = action
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.from = from
        self.to = to
    }
}
