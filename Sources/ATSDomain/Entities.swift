import ATSSupport
/// One company's ATS instance.
public struct Tenant: Sendable, Equatable {
    public var id: TenantID
    public var slug: String
    public var name: String
    public var createdAt: Timestamp
    /// What its admins configured (`GET /api/tenant`).
    public var settings: TenantSettings
    /// Set by the operator: a suspended tenant answers every request with 403 and its
    /// outbox waits (API.md, Operators).
    public var status: TenantStatus

    public init(id: TenantID, slug: String, name: String, createdAt: Timestamp, settings: TenantSettings = TenantSettings(),
                status: TenantStatus = .active) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
        self.settings = settings
        self.status = status
    }

    /// `[a-z0-9][a-z0-9-]{1,62}` (API.md, Tenancy).
    public static func isValidSlug(_ slug: String) -> Bool {
        let bytes = Array(slug.utf8)
        guard (2...63).contains(bytes.count) else { return false }
        func ok(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        return ok(bytes[0]) && bytes.dropFirst().allSatisfy { ok($0) || $0 == 45 }
    }

    public static let defaultSlug = "default"
}

public enum TenantStatus: String, Sendable, CaseIterable {
    case active
    case suspended
}

public struct User: Sendable, Equatable {
    public var id: UserID
    public var tenantID: TenantID
    public var email: String
    /// An Argon2id hash string (`$argon2id$…`), or empty for a person added by staff who
    /// has not set a password yet (invitation); never leaves the server.
    public var passwordHash: String
    public var fullName: String?
    public var role: Role
    public var isActive: Bool
    public var createdAt: Timestamp
    /// The candidate profile (API.md, Candidates); staff may have one too, unused.
    public var profile: Profile
    public var updatedAt: Timestamp
    /// Bumped by a password change, reset or logout; a token carries the epoch it was
    /// issued in and is refused once the user's epoch moved past it.
    public var sessionEpoch: Int64
    /// The last sign-in or own profile change (the retention sweep's "activity").
    public var lastActiveAt: Timestamp?
    /// Set once the person was anonymized (GDPR); anonymizing again changes nothing.
    public var anonymizedAt: Timestamp?
    /// Set when the request was authenticated by an API key: this user is then the key's
    /// creator acting with the key's role (events record no actor, the audit log the key).
    public var apiKeyID: Int64?

    public var hasPassword: Bool { !passwordHash.isEmpty }

    public init(id: UserID, tenantID: TenantID, email: String, passwordHash: String, fullName: String?, role: Role, isActive: Bool, createdAt: Timestamp,
                profile: Profile = Profile(), updatedAt: Timestamp? = nil, sessionEpoch: Int64 = 0, lastActiveAt: Timestamp? = nil,
                anonymizedAt: Timestamp? = nil, apiKeyID: Int64? = nil) {
        self.id = id
        self.tenantID = tenantID
        self.email = email
        self.passwordHash = passwordHash
        self.fullName = fullName
        self.role = role
        self.isActive = isActive
        self.createdAt = createdAt
        self.profile = profile
        self.updatedAt = updatedAt ?? createdAt
        self.sessionEpoch = sessionEpoch
        self.lastActiveAt = lastActiveAt
        self.anonymizedAt = anonymizedAt
        self.apiKeyID = apiKeyID
    }

    /// The user id that events record as the actor: nil for an API key (API.md).
    public var eventActorID: UserID? { apiKeyID == nil ? id : nil }

    /// A candidate's profile fields. `links` are http(s) URLs (≤ 10), `tags` trimmed and
    /// lower-cased (≤ 50 of 1–50 characters), `source` ≤ 100 characters.
    public struct Profile: Sendable, Equatable {
        public var phone: String?
        public var location: String?
        public var links: [String]
        public var tags: [String]
        public var source: String?

        public init(phone: String? = nil, location: String? = nil, links: [String] = [], tags: [String] = [], source: String? = nil) {
            self.phone = phone
            self.location = location
            self.links = links
            self.tags = tags
            self.source = source
        }
    }
}

public struct Job: Sendable, Equatable {
    public var id: JobID
    public var tenantID: TenantID
    public var title: String
    public var company: String
    public var description: String?
    public var location: String?
    public var status: JobStatus
    public var createdBy: UserID
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(id: JobID, tenantID: TenantID, title: String, company: String, description: String?, location: String?,
                status: JobStatus, createdBy: UserID, createdAt: Timestamp, updatedAt: Timestamp) {
        self.id = id
        self.tenantID = tenantID
        self.title = title
        self.company = company
        self.description = description
        self.location = location
        self.status = status
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct Application: Sendable, Equatable {
    public var id: ApplicationID
    public var tenantID: TenantID
    public var jobID: JobID
    public var candidateID: UserID
    public var stage: Stage
    public var coverLetter: String?
    public var resumeURL: String?
    /// Incremented on every change; the API's ETag.
    public var version: Int64
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// Where it came from when staff added it (`referral`, `linkedin`); nil for a
    /// candidate's own application.
    public var source: String?
    /// The résumé among the candidate's documents, when one was named.
    public var resumeDocumentID: Int64?
    /// Why it was rejected, while it is (nil otherwise).
    public var rejection: Rejection? = nil

    public init(id: ApplicationID, tenantID: TenantID, jobID: JobID, candidateID: UserID, stage: Stage, coverLetter: String?,
                resumeURL: String?, version: Int64, createdAt: Timestamp, updatedAt: Timestamp, source: String? = nil, resumeDocumentID: Int64? = nil) {
        self.source = source
        self.resumeDocumentID = resumeDocumentID
        self.id = id
        self.tenantID = tenantID
        self.jobID = jobID
        self.candidateID = candidateID
        self.stage = stage
        self.coverLetter = coverLetter
        self.resumeURL = resumeURL
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The strong entity tag of this version (`ETag`, `If-Match`).
    public var etag: String { "\"\(version)\"" }
}

/// One entry in an application's history; the creation is the first (`from` nil).
public struct ApplicationEvent: Sendable, Equatable {
    public var id: Int64
    public var applicationID: ApplicationID
    public var fromStage: Stage?
    public var toStage: Stage
    public var actorID: UserID?
    public var note: String?
    public var createdAt: Timestamp

    public init(id: Int64, applicationID: ApplicationID, fromStage: Stage?, toStage: Stage, actorID: UserID?, note: String?, createdAt: Timestamp) {
        self.id = id
        self.applicationID = applicationID
        self.fromStage = fromStage
        self.toStage = toStage
        self.actorID = actorID
        self.note = note
        self.createdAt = createdAt
    }
}

public enum OutboxStatus: String, Sendable, CaseIterable, Codable {
    case pending
    case sent
    case failed
    case dead
    /// Never delivered: the recipient was anonymized first (GDPR).
    case cancelled
}

/// A notification written in the same transaction as the change it reports
/// (transactional outbox); delivered later by the relay or the embedded dispatcher.
public struct OutboxMessage: Sendable, Equatable {
    public var id: Int64
    public var tenantID: TenantID
    /// e.g. `application.received`, `application.stage_changed`.
    public var kind: String
    public var recipient: String
    /// JSON object with what the message needs (names, job title, stage).
    public var payload: String
    public var status: OutboxStatus
    public var attempts: Int
    public var lastError: String?
    public var availableAt: Timestamp
    public var createdAt: Timestamp
    public var sentAt: Timestamp?
    /// The channel that delivers it (`mail`).
    public var channel: String

    public init(id: Int64, tenantID: TenantID, kind: String, recipient: String, payload: String, status: OutboxStatus, attempts: Int,
                lastError: String?, availableAt: Timestamp, createdAt: Timestamp, sentAt: Timestamp?, channel: String = "mail") {
        self.channel = channel
        self.id = id
        self.tenantID = tenantID
        self.kind = kind
        self.recipient = recipient
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.lastError = lastError
        self.availableAt = availableAt
        self.createdAt = createdAt
        self.sentAt = sentAt
    }
}
