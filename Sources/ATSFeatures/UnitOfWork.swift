import ATSDomain
import ATSPersistence

/// One transaction's view of every feature's repository: what services work in. All of
/// it commits, or none of it.
public struct UnitOfWork {
    public let transaction: SQLTransaction

    @inlinable
    public init(_ transaction: SQLTransaction) { self.transaction = transaction }

    public var tenants: any TenantRepository { SQLTenantRepository(transaction) }
    public var users: any UserRepository { SQLUserRepository(transaction) }
    public var jobs: any JobRepository { SQLJobRepository(transaction) }
    public var applications: any ApplicationRepository { SQLApplicationRepository(transaction) }
    public var outbox: any OutboxRepository { SQLOutboxRepository(transaction) }
    public var events: any EventRepository { SQLEventRepository(transaction) }
    public var pipelines: any PipelineRepository { SQLPipelineRepository(transaction) }
    public var apiKeys: any APIKeyRepository { SQLAPIKeyRepository(transaction) }
    public var tenantTasks: any TenantTaskRepository { SQLTenantTaskRepository(transaction) }
    public var retention: any RetentionRepository { SQLRetentionRepository(transaction) }
    public var candidates: any CandidateRepository { SQLCandidateRepository(transaction) }
    public var notes: any NoteRepository { SQLNoteRepository(transaction) }
    public var interviews: any InterviewRepository { SQLInterviewRepository(transaction) }
    public var passwordTokens: any PasswordTokenRepository { SQLPasswordTokenRepository(transaction) }
    public var workflow: any WorkflowRepository { SQLWorkflowRepository(transaction) }
    public var rejectionReasons: any RejectionReasonRepository { SQLRejectionReasonRepository(transaction) }
    public var idempotency: any IdempotencyRepository { SQLIdempotencyRepository(transaction) }
    public var reports: any ReportRepository { SQLReportRepository(transaction) }
    public var auditLog: any AuditRepository { SQLAuditRepository(transaction) }

    /// Records `event` and its deliveries on every channel, in this transaction: the
    /// change and what it announces commit together or not at all.
    public func publish(_ event: DomainEvent, actor: UserID?, tenant: TenantID) throws {
        try events.record(tenant, event, actor: actor, deliveries: OutboxChannels.all.flatMap { $0.deliveries(for: event) })
    }

    /// Runs `body` in a savepoint: when it throws, only its work is undone.
    public func savepoint<T>(_ body: () throws -> T) throws -> T { try transaction.savepoint(body) }
}

extension Database {
    /// A read-write unit of work (see `withTransaction`).
    @inlinable
    public func transaction<T>(tenant: TenantID?, _ body: (UnitOfWork) throws -> T) throws -> T {
        try withTransaction(tenant: tenant) { try body(UnitOfWork($0)) }
    }

    /// A read-only unit of work (see `withReadTransaction`).
    @inlinable
    public func read<T>(tenant: TenantID?, _ body: (UnitOfWork) throws -> T) throws -> T {
        try withReadTransaction(tenant: tenant) { try body(UnitOfWork($0)) }
    }
}
