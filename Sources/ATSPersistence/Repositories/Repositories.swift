import ATSDomain
import ATSSupport

// The data layer's contract. Every method that touches tenant data takes the tenant,
// and every implementation filters by it (PostgreSQL also enforces it with row-level
// security). Methods throw `StorageError`.

public struct NewUser: Sendable {
    public var email: String
    public var passwordHash: String
    public var fullName: String?
    public var role: Role

    public init(email: String, passwordHash: String, fullName: String?, role: Role) {
        self.email = email
        self.passwordHash = passwordHash
        self.fullName = fullName
        self.role = role
    }
}

public struct UserChanges: Sendable {
    public var role: Role?
    public var isActive: Bool?
    /// `.some(nil)` clears the name.
    public var fullName: String??

    public init(role: Role? = nil, isActive: Bool? = nil, fullName: String?? = nil) {
        self.role = role
        self.isActive = isActive
        self.fullName = fullName
    }
}

public struct NewJob: Sendable {
    public var title: String
    public var company: String
    public var description: String?
    public var location: String?
    public var status: JobStatus
    public var createdBy: UserID

    public init(title: String, company: String, description: String? = nil, location: String? = nil, status: JobStatus = .open, createdBy: UserID) {
        self.title = title
        self.company = company
        self.description = description
        self.location = location
        self.status = status
        self.createdBy = createdBy
    }
}

public struct JobChanges: Sendable {
    public var title: String?
    public var company: String?
    public var description: String??
    public var location: String??
    public var status: JobStatus?

    public init(title: String? = nil, company: String? = nil, description: String?? = nil, location: String?? = nil, status: JobStatus? = nil) {
        self.title = title
        self.company = company
        self.description = description
        self.location = location
        self.status = status
    }
}

public struct NewApplication: Sendable {
    public var jobID: JobID
    public var candidateID: UserID
    public var coverLetter: String?
    public var resumeURL: String?

    public init(jobID: JobID, candidateID: UserID, coverLetter: String? = nil, resumeURL: String? = nil) {
        self.jobID = jobID
        self.candidateID = candidateID
        self.coverLetter = coverLetter
        self.resumeURL = resumeURL
    }
}

public struct NewOutboxMessage: Sendable {
    public var kind: String
    public var recipient: String
    public var payload: String

    public init(kind: String, recipient: String, payload: String) {
        self.kind = kind
        self.recipient = recipient
        self.payload = payload
    }
}

/// Tenants are the one global table: resolving a tenant happens before there is one.
public protocol TenantRepository {
    func create(slug: String, name: String) throws -> Tenant
    func find(slug: String) throws -> Tenant?
    func find(id: TenantID) throws -> Tenant?
    func list() throws -> [Tenant]
    /// Deletes the tenant and every row it owns (events, applications, jobs, outbox, users),
    /// children first. Run it in a transaction scoped to the tenant.
    func deleteWithAllData(_ tenant: TenantID) throws
}

public protocol UserRepository {
    func create(_ tenant: TenantID, _ user: NewUser) throws -> User
    func find(_ tenant: TenantID, id: UserID) throws -> User?
    /// `email` must already be normalized (trimmed, lower-cased).
    func find(_ tenant: TenantID, email: String) throws -> User?
    func list(_ tenant: TenantID, filter: UserFilter, page: Page) throws -> PageResult<User>
    func update(_ tenant: TenantID, id: UserID, _ changes: UserChanges) throws -> User
    /// Active admins of the tenant (to refuse removing the last one).
    func countActiveAdmins(_ tenant: TenantID) throws -> Int
}

public protocol JobRepository {
    func create(_ tenant: TenantID, _ job: NewJob) throws -> Job
    func find(_ tenant: TenantID, id: JobID) throws -> Job?
    /// Newest first (created_at, then id, descending).
    func list(_ tenant: TenantID, filter: JobFilter, page: Page) throws -> PageResult<Job>
    func update(_ tenant: TenantID, id: JobID, _ changes: JobChanges) throws -> Job
    /// Throws `.hasDependents` when the job has applications.
    func delete(_ tenant: TenantID, id: JobID) throws
}

public protocol ApplicationRepository {
    /// Creates the application in stage `applied` and its first event. Throws
    /// `.alreadyApplied` (also when two requests race).
    func create(_ tenant: TenantID, _ application: NewApplication, actor: UserID) throws -> Application
    func find(_ tenant: TenantID, id: ApplicationID) throws -> Application?
    /// Newest first.
    func list(_ tenant: TenantID, filter: ApplicationFilter, page: Page) throws -> PageResult<Application>
    /// Moves to `stage` if the row is still at `expectedVersion` (else `.staleVersion`),
    /// bumps the version and records the event.
    func changeStage(_ tenant: TenantID, id: ApplicationID, to stage: Stage, expectedVersion: Int64, actor: UserID, note: String?) throws -> Application
    /// Oldest first.
    func events(_ tenant: TenantID, application: ApplicationID) throws -> [ApplicationEvent]
}

public protocol OutboxRepository {
    func enqueue(_ tenant: TenantID, _ message: NewOutboxMessage) throws -> OutboxMessage
    func list(_ tenant: TenantID, filter: NotificationFilter, page: Page) throws -> PageResult<OutboxMessage>
    /// Pending or failed rows due by `now` and not claimed by a delivery in progress,
    /// oldest first, across this tenant.
    func due(_ tenant: TenantID, now: Timestamp, limit: Int) throws -> [OutboxMessage]
    /// Due rows the relay should put on the Redis stream: never queued, or queued before
    /// `requeueBefore` and still not delivered (the stream entry may have been lost).
    func relayable(_ tenant: TenantID, now: Timestamp, requeueBefore: Timestamp, limit: Int) throws -> [OutboxMessage]
    /// Records that the rows are on the stream.
    func markQueued(_ tenant: TenantID, ids: [Int64], at: Timestamp) throws
    /// Claims a due row for delivery until `leaseUntil`: the row, or nil when it is not
    /// due, already delivered or dead, or claimed by another delivery whose lease holds.
    /// The claim is what keeps two processes from sending the same row.
    func claim(_ tenant: TenantID, id: Int64, now: Timestamp, leaseUntil: Timestamp) throws -> OutboxMessage?
    func markSent(_ tenant: TenantID, id: Int64, at: Timestamp) throws
    /// Records a failed attempt: `failed` with the next try at `retryAt`, or `dead` when
    /// `retryAt` is nil. Both this and `markSent` release the claim and the queued mark.
    func markFailed(_ tenant: TenantID, id: Int64, error: String, retryAt: Timestamp?) throws
    /// How many of the tenant's rows are in each status (for the backlog metric).
    func countByStatus(_ tenant: TenantID) throws -> [OutboxStatus: Int]
}

/// One transaction's view of the repositories. A request does its work in one unit of
/// work: all of it commits, or none of it.
public protocol UnitOfWork {
    var tenants: any TenantRepository { get }
    var users: any UserRepository { get }
    var jobs: any JobRepository { get }
    var applications: any ApplicationRepository { get }
    var outbox: any OutboxRepository { get }
}

/// A database the application can run units of work against.
public protocol Database: Sendable {
    /// Runs `body` in one transaction and commits it, or rolls back if `body` throws.
    /// With a tenant, the transaction is scoped to it (PostgreSQL: `app.tenant_id` for
    /// row-level security); without one, only the tenants table is reachable on PostgreSQL.
    func transaction<T>(tenant: TenantID?, _ body: (any UnitOfWork) throws -> T) throws -> T
    /// Like `transaction`, read-only: runs concurrently with writers (SQLite readers in
    /// WAL mode; PostgreSQL `BEGIN READ ONLY`). Writing inside it fails.
    func read<T>(tenant: TenantID?, _ body: (any UnitOfWork) throws -> T) throws -> T
    /// Throws unless the database answers a trivial query now (`/readyz`).
    func ping() throws
    /// Which SQL dialect, for the migration runner and diagnostics.
    var dialect: SQLDialect { get }
}

public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres
}
