import ATSDomain
import ATSSupport

/// The repositories, written once in SQL that both PostgreSQL and SQLite run, over one
/// connection inside one transaction. The adapters supply the connection and classify
/// engine errors; the mapping to domain errors is here, where each statement knows
/// which constraint it can hit.
public final class SQLUnitOfWork: UnitOfWork, TenantRepository, UserRepository, JobRepository, ApplicationRepository, OutboxRepository {
    let connection: any SQLConnection
    private let clock: @Sendable () -> Timestamp

    public init(connection: any SQLConnection, clock: @escaping @Sendable () -> Timestamp = Timestamp.now) {
        self.connection = connection
        self.clock = clock
    }

    public var tenants: any TenantRepository { self }
    public var users: any UserRepository { self }
    public var jobs: any JobRepository { self }
    public var applications: any ApplicationRepository { self }
    public var outbox: any OutboxRepository { self }

    /// Runs `body`, turning engine errors into domain errors (`unique` names what a
    /// unique violation means for this statement).
    private func run<T>(unique: StorageError? = nil, foreignKey: StorageError? = nil, _ body: () throws(SQLError) -> T) throws(StorageError) -> T {
        do {
            return try body()
        } catch {
            switch error {
            case .uniqueViolation where unique != nil: throw unique ?? error.storageError
            case .foreignKeyViolation where foreignKey != nil: throw foreignKey ?? error.storageError
            default: throw error.storageError
            }
        }
    }

    /// `SELECT columns FROM table <condition> ORDER BY <order>`, one page of it, and the
    /// total that matches `condition`.
    private func list<T>(_ table: String, columns: String, where condition: SQLStatement, orderBy order: String, page: Page,
                         decode: (SQLRow) throws(SQLError) -> T) throws(StorageError) -> PageResult<T> {
        // The total rides along as an uncorrelated scalar subquery over the same bound
        // parameters: both engines compute it once, and it saves a round trip. (A
        // window `count(*) OVER ()` measured far slower: it makes both engines
        // materialize and sort every matching row instead of walking the index.)
        var select = SQLStatement("SELECT \(columns), (SELECT count(*) FROM \(table)\(condition.sql)) FROM \(table)" + condition.sql + " ORDER BY " + order)
        condition.parameters.forEach { _ = select.bind($0) }
        select.append(" LIMIT \(select.bind(.int(Int64(page.limit)))) OFFSET \(select.bind(.int(Int64(page.offset))))")
        return try run { () throws(SQLError) -> PageResult<T> in
            let rows = try connection.query(select.sql, select.parameters)
            var items: [T] = []
            items.reserveCapacity(rows.count)
            for row in rows { items.append(try decode(row)) }
            if let first = rows.first {
                return PageResult(items: items, total: Int(try first.int(first.cells.count - 1)))
            }
            // A page past the end has no row to carry the total.
            var count = SQLStatement("SELECT count(*) FROM \(table)" + condition.sql)
            condition.parameters.forEach { _ = count.bind($0) }
            return PageResult(items: items, total: Int(try connection.queryOne(count.sql, count.parameters)?.int(0) ?? 0))
        }
    }

    // MARK: Tenants

    private static let tenantColumns = "id, slug, name, created_at"

    private static func tenant(_ row: SQLRow) throws(SQLError) -> Tenant {
        Tenant(id: TenantID(try row.int(0)), slug: try row.text(1), name: try row.text(2), createdAt: try row.timestamp(3))
    }

    public func create(slug: String, name: String) throws -> Tenant {
        try run(unique: .duplicateSlug) { () throws(SQLError) -> Tenant in
            let id = try connection.allocateID("tenants")
            let now = clock()
            try connection.execute("INSERT INTO tenants (id, slug, name, created_at) VALUES ($1, $2, $3, $4)",
                                   [.int(id), .text(slug), .text(name), .timestamp(now)])
            return Tenant(id: TenantID(id), slug: slug, name: name, createdAt: now)
        }
    }

    public func find(slug: String) throws -> Tenant? {
        try run { () throws(SQLError) -> Tenant? in
            try connection.queryOne("SELECT \(Self.tenantColumns) FROM tenants WHERE slug = $1", [.text(slug)]).map(Self.tenant)
        }
    }

    public func find(id: TenantID) throws -> Tenant? {
        try run { () throws(SQLError) -> Tenant? in
            try connection.queryOne("SELECT \(Self.tenantColumns) FROM tenants WHERE id = $1", [.int(id.rawValue)]).map(Self.tenant)
        }
    }

    public func list() throws -> [Tenant] {
        try run { () throws(SQLError) -> [Tenant] in
            var result: [Tenant] = []
            for row in try connection.query("SELECT \(Self.tenantColumns) FROM tenants ORDER BY id", []) { result.append(try Self.tenant(row)) }
            return result
        }
    }

    public func deleteWithAllData(_ tenant: TenantID) throws {
        let deleted = try run { () throws(SQLError) -> Int in
            for table in ["application_events", "applications", "jobs", "outbox", "users"] {
                try connection.execute("DELETE FROM \(table) WHERE tenant_id = $1", [.int(tenant.rawValue)])
            }
            return try connection.execute("DELETE FROM tenants WHERE id = $1", [.int(tenant.rawValue)])
        }
        if deleted == 0 { throw StorageError.notFound }
    }

    // MARK: Users

    private static let userColumns = "tenant_id, id, email, password_hash, full_name, role, is_active, created_at"

    private static func user(_ row: SQLRow) throws(SQLError) -> User {
        guard let role = Role(rawValue: try row.text(5)) else { throw .decoding("unknown role") }
        return User(id: UserID(try row.int(1)), tenantID: TenantID(try row.int(0)), email: try row.text(2), passwordHash: try row.text(3),
                    fullName: try row.optionalText(4), role: role, isActive: try row.bool(6), createdAt: try row.timestamp(7))
    }

    public func create(_ tenant: TenantID, _ user: NewUser) throws -> User {
        try run(unique: .duplicateEmail) { () throws(SQLError) -> User in
            let id = try connection.allocateID("users")
            let now = clock()
            try connection.execute("""
                INSERT INTO users (tenant_id, id, email, password_hash, full_name, role, is_active, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """, [.int(tenant.rawValue), .int(id), .text(user.email), .text(user.passwordHash), .optional(user.fullName),
                      .text(user.role.rawValue), .bool(true), .timestamp(now)])
            return User(id: UserID(id), tenantID: tenant, email: user.email, passwordHash: user.passwordHash, fullName: user.fullName,
                        role: user.role, isActive: true, createdAt: now)
        }
    }

    public func find(_ tenant: TenantID, id: UserID) throws -> User? {
        try run { () throws(SQLError) -> User? in
            try connection.queryOne("SELECT \(Self.userColumns) FROM users WHERE tenant_id = $1 AND id = $2",
                                    [.int(tenant.rawValue), .int(id.rawValue)]).map(Self.user)
        }
    }

    public func find(_ tenant: TenantID, email: String) throws -> User? {
        try run { () throws(SQLError) -> User? in
            try connection.queryOne("SELECT \(Self.userColumns) FROM users WHERE tenant_id = $1 AND email = $2",
                                    [.int(tenant.rawValue), .text(email)]).map(Self.user)
        }
    }

    public func list(_ tenant: TenantID, filter: UserFilter, page: Page) throws -> PageResult<User> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if let role = filter.role { condition.append(" AND role = \(condition.bind(.text(role.rawValue)))") }
        if let q = filter.q {
            let p = condition.bind(.text(SQLStatement.containsPattern(q)))
            condition.append(" AND (lower(email) LIKE lower(CAST(\(p) AS TEXT)) ESCAPE '\\' OR lower(coalesce(full_name, '')) LIKE lower(CAST(\(p) AS TEXT)) ESCAPE '\\')")
        }
        return try list("users", columns: Self.userColumns, where: condition, orderBy: "id", page: page, decode: Self.user)
    }

    public func update(_ tenant: TenantID, id: UserID, _ changes: UserChanges) throws -> User {
        var statement = SQLStatement("UPDATE users SET ")
        var sets: [String] = []
        if let role = changes.role { sets.append("role = \(statement.bind(.text(role.rawValue)))") }
        if let active = changes.isActive { sets.append("is_active = \(statement.bind(.bool(active)))") }
        if let name = changes.fullName { sets.append("full_name = \(statement.bind(.optional(name)))") }
        guard !sets.isEmpty else {
            guard let user = try find(tenant, id: id) else { throw StorageError.notFound }
            return user
        }
        statement.append(sets.joined(separator: ", "))
        statement.append(" WHERE tenant_id = \(statement.bind(.int(tenant.rawValue))) AND id = \(statement.bind(.int(id.rawValue)))")
        statement.append(" RETURNING \(Self.userColumns)")
        let row = try run { () throws(SQLError) -> SQLRow? in try connection.queryOne(statement.sql, statement.parameters) }
        guard let row else { throw StorageError.notFound }
        return try run { () throws(SQLError) -> User in try Self.user(row) }
    }

    public func countActiveAdmins(_ tenant: TenantID) throws -> Int {
        try run { () throws(SQLError) -> Int in
            // PostgreSQL: lock the rows, so two concurrent demotions cannot both see two
            // admins and leave none (SQLite's single writer serializes them already).
            let lock = connection.dialect == .postgres ? " FOR UPDATE" : ""
            return try connection.query("SELECT id FROM users WHERE tenant_id = $1 AND role = 'admin' AND is_active = $2" + lock,
                                        [.int(tenant.rawValue), .bool(true)]).count
        }
    }

    // MARK: Jobs

    private static let jobColumns = "tenant_id, id, title, company, description, location, status, created_by, created_at, updated_at"

    private static func job(_ row: SQLRow) throws(SQLError) -> Job {
        guard let status = JobStatus(rawValue: try row.text(6)) else { throw .decoding("unknown job status") }
        return Job(id: JobID(try row.int(1)), tenantID: TenantID(try row.int(0)), title: try row.text(2), company: try row.text(3),
                   description: try row.optionalText(4), location: try row.optionalText(5), status: status,
                   createdBy: UserID(try row.int(7)), createdAt: try row.timestamp(8), updatedAt: try row.timestamp(9))
    }

    public func create(_ tenant: TenantID, _ job: NewJob) throws -> Job {
        try run(foreignKey: .constraintViolation("jobs_created_by_fkey")) { () throws(SQLError) -> Job in
            let id = try connection.allocateID("jobs")
            let now = clock()
            try connection.execute("""
                INSERT INTO jobs (tenant_id, id, title, company, description, location, status, created_by, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
                """, [.int(tenant.rawValue), .int(id), .text(job.title), .text(job.company), .optional(job.description),
                      .optional(job.location), .text(job.status.rawValue), .int(job.createdBy.rawValue), .timestamp(now)])
            return Job(id: JobID(id), tenantID: tenant, title: job.title, company: job.company, description: job.description,
                       location: job.location, status: job.status, createdBy: job.createdBy, createdAt: now, updatedAt: now)
        }
    }

    public func find(_ tenant: TenantID, id: JobID) throws -> Job? {
        try run { () throws(SQLError) -> Job? in
            try connection.queryOne("SELECT \(Self.jobColumns) FROM jobs WHERE tenant_id = $1 AND id = $2",
                                    [.int(tenant.rawValue), .int(id.rawValue)]).map(Self.job)
        }
    }

    public func list(_ tenant: TenantID, filter: JobFilter, page: Page) throws -> PageResult<Job> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if filter.statuses.isEmpty { return PageResult(items: [], total: 0) }
        if Set(filter.statuses) != Set(JobStatus.allCases) {
            let placeholders = filter.statuses.map { condition.bind(.text($0.rawValue)) }
            condition.append(" AND status IN (\(placeholders.joined(separator: ", ")))")
        }
        if let q = filter.q {
            let p = condition.bind(.text(SQLStatement.containsPattern(q)))
            let folded = "lower(CAST(\(p) AS TEXT))"
            condition.append(" AND (lower(title) LIKE \(folded) ESCAPE '\\' OR lower(company) LIKE \(folded) ESCAPE '\\'"
                + " OR lower(coalesce(location, '')) LIKE \(folded) ESCAPE '\\' OR lower(coalesce(description, '')) LIKE \(folded) ESCAPE '\\')")
        }
        if let company = filter.company { condition.append(" AND lower(company) = lower(CAST(\(condition.bind(.text(company))) AS TEXT))") }
        if let location = filter.location { condition.append(" AND lower(location) = lower(CAST(\(condition.bind(.text(location))) AS TEXT))") }
        return try list("jobs", columns: Self.jobColumns, where: condition, orderBy: "created_at DESC, id DESC", page: page, decode: Self.job)
    }

    public func update(_ tenant: TenantID, id: JobID, _ changes: JobChanges) throws -> Job {
        var statement = SQLStatement("UPDATE jobs SET ")
        var sets: [String] = []
        if let title = changes.title { sets.append("title = \(statement.bind(.text(title)))") }
        if let company = changes.company { sets.append("company = \(statement.bind(.text(company)))") }
        if let description = changes.description { sets.append("description = \(statement.bind(.optional(description)))") }
        if let location = changes.location { sets.append("location = \(statement.bind(.optional(location)))") }
        if let status = changes.status { sets.append("status = \(statement.bind(.text(status.rawValue)))") }
        sets.append("updated_at = \(statement.bind(.timestamp(clock())))")
        statement.append(sets.joined(separator: ", "))
        statement.append(" WHERE tenant_id = \(statement.bind(.int(tenant.rawValue))) AND id = \(statement.bind(.int(id.rawValue)))")
        statement.append(" RETURNING \(Self.jobColumns)")
        let row = try run { () throws(SQLError) -> SQLRow? in try connection.queryOne(statement.sql, statement.parameters) }
        guard let row else { throw StorageError.notFound }
        return try run { () throws(SQLError) -> Job in try Self.job(row) }
    }

    public func delete(_ tenant: TenantID, id: JobID) throws {
        let deleted = try run(foreignKey: .hasDependents) { () throws(SQLError) -> Int in
            let dependents = try connection.queryOne("SELECT count(*) FROM applications WHERE tenant_id = $1 AND job_id = $2",
                                                     [.int(tenant.rawValue), .int(id.rawValue)])?.int(0) ?? 0
            // The foreign key refuses too; asking first gives the same answer on both engines.
            if dependents > 0 { throw .foreignKeyViolation("applications_job_fkey") }
            return try connection.execute("DELETE FROM jobs WHERE tenant_id = $1 AND id = $2", [.int(tenant.rawValue), .int(id.rawValue)])
        }
        if deleted == 0 { throw StorageError.notFound }
    }

    // MARK: Applications

    private static let applicationColumns = "tenant_id, id, job_id, candidate_id, stage, cover_letter, resume_url, version, created_at, updated_at"

    private static func application(_ row: SQLRow) throws(SQLError) -> Application {
        guard let stage = Stage(rawValue: try row.text(4)) else { throw .decoding("unknown stage") }
        return Application(id: ApplicationID(try row.int(1)), tenantID: TenantID(try row.int(0)), jobID: JobID(try row.int(2)),
                           candidateID: UserID(try row.int(3)), stage: stage, coverLetter: try row.optionalText(5),
                           resumeURL: try row.optionalText(6), version: try row.int(7), createdAt: try row.timestamp(8), updatedAt: try row.timestamp(9))
    }

    public func create(_ tenant: TenantID, _ application: NewApplication, actor: UserID) throws -> Application {
        try run(unique: .alreadyApplied, foreignKey: .notFound) { () throws(SQLError) -> Application in
            let id = try connection.allocateID("applications")
            let now = clock()
            try connection.execute("""
                INSERT INTO applications (tenant_id, id, job_id, candidate_id, stage, cover_letter, resume_url, version, created_at, updated_at)
                VALUES ($1, $2, $3, $4, 'applied', $5, $6, 1, $7, $7)
                """, [.int(tenant.rawValue), .int(id), .int(application.jobID.rawValue), .int(application.candidateID.rawValue),
                      .optional(application.coverLetter), .optional(application.resumeURL), .timestamp(now)])
            try insertEvent(tenant, ApplicationID(id), from: nil, to: .applied, actor: actor, note: nil, at: now)
            return Application(id: ApplicationID(id), tenantID: tenant, jobID: application.jobID, candidateID: application.candidateID,
                               stage: .applied, coverLetter: application.coverLetter, resumeURL: application.resumeURL, version: 1,
                               createdAt: now, updatedAt: now)
        }
    }

    private func insertEvent(_ tenant: TenantID, _ application: ApplicationID, from: Stage?, to: Stage, actor: UserID?, note: String?, at: Timestamp) throws(SQLError) {
        let id = try connection.allocateID("application_events")
        try connection.execute("""
            INSERT INTO application_events (tenant_id, id, application_id, from_stage, to_stage, actor_id, note, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [.int(tenant.rawValue), .int(id), .int(application.rawValue), .optional(from?.rawValue), .text(to.rawValue),
                  actor.map { .int($0.rawValue) } ?? .null, .optional(note), .timestamp(at)])
    }

    public func find(_ tenant: TenantID, id: ApplicationID) throws -> Application? {
        try run { () throws(SQLError) -> Application? in
            try connection.queryOne("SELECT \(Self.applicationColumns) FROM applications WHERE tenant_id = $1 AND id = $2",
                                    [.int(tenant.rawValue), .int(id.rawValue)]).map(Self.application)
        }
    }

    public func list(_ tenant: TenantID, filter: ApplicationFilter, page: Page) throws -> PageResult<Application> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if let job = filter.jobID { condition.append(" AND job_id = \(condition.bind(.int(job.rawValue)))") }
        if let candidate = filter.candidateID { condition.append(" AND candidate_id = \(condition.bind(.int(candidate.rawValue)))") }
        if let stage = filter.stage { condition.append(" AND stage = \(condition.bind(.text(stage.rawValue)))") }
        return try list("applications", columns: Self.applicationColumns, where: condition, orderBy: "created_at DESC, id DESC", page: page, decode: Self.application)
    }

    public func changeStage(_ tenant: TenantID, id: ApplicationID, to stage: Stage, expectedVersion: Int64, actor: UserID, note: String?) throws -> Application {
        guard let current = try find(tenant, id: id) else { throw StorageError.notFound }
        guard current.version == expectedVersion else { throw StorageError.staleVersion }
        let now = clock()
        // The version in the WHERE clause makes a concurrent change lose cleanly: the
        // second UPDATE finds no row at the version it read.
        let row = try run { () throws(SQLError) -> SQLRow? in
            try connection.queryOne("""
                UPDATE applications SET stage = $1, version = version + 1, updated_at = $2
                WHERE tenant_id = $3 AND id = $4 AND version = $5
                RETURNING \(Self.applicationColumns)
                """, [.text(stage.rawValue), .timestamp(now), .int(tenant.rawValue), .int(id.rawValue), .int(expectedVersion)])
        }
        guard let row else { throw StorageError.staleVersion }
        return try run { () throws(SQLError) -> Application in
            try insertEvent(tenant, id, from: current.stage, to: stage, actor: actor, note: note, at: now)
            return try Self.application(row)
        }
    }

    public func events(_ tenant: TenantID, application: ApplicationID) throws -> [ApplicationEvent] {
        try run { () throws(SQLError) -> [ApplicationEvent] in
            var result: [ApplicationEvent] = []
            for row in try connection.query("""
                SELECT id, application_id, from_stage, to_stage, actor_id, note, created_at FROM application_events
                WHERE tenant_id = $1 AND application_id = $2 ORDER BY created_at, id
                """, [.int(tenant.rawValue), .int(application.rawValue)]) {
                guard let to = Stage(rawValue: try row.text(3)) else { throw .decoding("unknown stage") }
                let from = try row.optionalText(2).map { (text: String) throws(SQLError) -> Stage in
                    guard let stage = Stage(rawValue: text) else { throw .decoding("unknown stage") }
                    return stage
                }
                result.append(ApplicationEvent(id: try row.int(0), applicationID: ApplicationID(try row.int(1)), fromStage: from, toStage: to,
                                               actorID: try row.optionalInt(4).map { UserID($0) }, note: try row.optionalText(5),
                                               createdAt: try row.timestamp(6)))
            }
            return result
        }
    }

    // MARK: Outbox

    private static let outboxColumns = "tenant_id, id, kind, recipient, payload, status, attempts, last_error, available_at, created_at, sent_at"

    private static func message(_ row: SQLRow) throws(SQLError) -> OutboxMessage {
        guard let status = OutboxStatus(rawValue: try row.text(5)) else { throw .decoding("unknown outbox status") }
        return OutboxMessage(id: try row.int(1), tenantID: TenantID(try row.int(0)), kind: try row.text(2), recipient: try row.text(3),
                             payload: try row.text(4), status: status, attempts: Int(try row.int(6)), lastError: try row.optionalText(7),
                             availableAt: try row.timestamp(8), createdAt: try row.timestamp(9), sentAt: try row.optionalTimestamp(10))
    }

    public func enqueue(_ tenant: TenantID, _ message: NewOutboxMessage) throws -> OutboxMessage {
        try run { () throws(SQLError) -> OutboxMessage in
            let id = try connection.allocateID("outbox")
            let now = clock()
            try connection.execute("""
                INSERT INTO outbox (tenant_id, id, kind, recipient, payload, status, attempts, available_at, created_at)
                VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)
                """, [.int(tenant.rawValue), .int(id), .text(message.kind), .text(message.recipient), .text(message.payload), .timestamp(now)])
            return OutboxMessage(id: id, tenantID: tenant, kind: message.kind, recipient: message.recipient, payload: message.payload,
                                 status: .pending, attempts: 0, lastError: nil, availableAt: now, createdAt: now, sentAt: nil)
        }
    }

    public func list(_ tenant: TenantID, filter: NotificationFilter, page: Page) throws -> PageResult<OutboxMessage> {
        var condition = SQLStatement(" WHERE tenant_id = $1")
        _ = condition.bind(.int(tenant.rawValue))
        if let status = filter.status { condition.append(" AND status = \(condition.bind(.text(status.rawValue)))") }
        return try list("outbox", columns: Self.outboxColumns, where: condition, orderBy: "created_at DESC, id DESC", page: page, decode: Self.message)
    }

    public func due(_ tenant: TenantID, now: Timestamp, limit: Int) throws -> [OutboxMessage] {
        try messages("""
            SELECT \(Self.outboxColumns) FROM outbox
            WHERE tenant_id = $1 AND status IN ('pending', 'failed') AND available_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
            ORDER BY available_at, id LIMIT $3
            """, [.int(tenant.rawValue), .timestamp(now), .int(Int64(limit))])
    }

    public func relayable(_ tenant: TenantID, now: Timestamp, requeueBefore: Timestamp, limit: Int) throws -> [OutboxMessage] {
        try messages("""
            SELECT \(Self.outboxColumns) FROM outbox
            WHERE tenant_id = $1 AND status IN ('pending', 'failed') AND available_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
              AND (queued_at IS NULL OR queued_at < $3)
            ORDER BY available_at, id LIMIT $4
            """, [.int(tenant.rawValue), .timestamp(now), .timestamp(requeueBefore), .int(Int64(limit))])
    }

    public func markQueued(_ tenant: TenantID, ids: [Int64], at: Timestamp) throws {
        guard !ids.isEmpty else { return }
        var update = SQLStatement("UPDATE outbox SET queued_at = $1 WHERE tenant_id = $2 AND id IN (")
        _ = update.bind(.timestamp(at))
        _ = update.bind(.int(tenant.rawValue))
        var placeholders: [String] = []
        for id in ids { placeholders.append(update.bind(.int(id))) }
        update.append(placeholders.joined(separator: ", ") + ")")
        _ = try run { () throws(SQLError) -> Int in try connection.execute(update.sql, update.parameters) }
    }

    public func claim(_ tenant: TenantID, id: Int64, now: Timestamp, leaseUntil: Timestamp) throws -> OutboxMessage? {
        try messages("""
            UPDATE outbox SET lease_until = $1
            WHERE tenant_id = $2 AND id = $3 AND status IN ('pending', 'failed') AND available_at <= $4 AND (lease_until IS NULL OR lease_until <= $4)
            RETURNING \(Self.outboxColumns)
            """, [.timestamp(leaseUntil), .int(tenant.rawValue), .int(id), .timestamp(now)]).first
    }

    private func messages(_ sql: String, _ parameters: [SQLValue]) throws -> [OutboxMessage] {
        try run { () throws(SQLError) -> [OutboxMessage] in
            var result: [OutboxMessage] = []
            for row in try connection.query(sql, parameters) { result.append(try Self.message(row)) }
            return result
        }
    }

    public func markSent(_ tenant: TenantID, id: Int64, at: Timestamp) throws {
        let changed = try run { () throws(SQLError) -> Int in
            try connection.execute("UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL, lease_until = NULL, queued_at = NULL WHERE tenant_id = $2 AND id = $3",
                                   [.timestamp(at), .int(tenant.rawValue), .int(id)])
        }
        if changed == 0 { throw StorageError.notFound }
    }

    public func countByStatus(_ tenant: TenantID) throws -> [OutboxStatus: Int] {
        try run { () throws(SQLError) -> [OutboxStatus: Int] in
            var counts: [OutboxStatus: Int] = [:]
            for row in try connection.query("SELECT status, count(*) FROM outbox WHERE tenant_id = $1 GROUP BY status", [.int(tenant.rawValue)]) {
                guard let status = OutboxStatus(rawValue: try row.text(0)) else { throw .decoding("unknown outbox status") }
                counts[status] = Int(try row.int(1))
            }
            return counts
        }
    }

    public func markFailed(_ tenant: TenantID, id: Int64, error: String, retryAt: Timestamp?) throws {
        let changed = try run { () throws(SQLError) -> Int in
            try connection.execute("""
                UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, available_at = COALESCE($3, available_at),
                    lease_until = NULL, queued_at = NULL
                WHERE tenant_id = $4 AND id = $5
                """, [.text(retryAt == nil ? "dead" : "failed"), .text(String(error.prefix(1000))), retryAt.map(SQLValue.timestamp) ?? .null,
                      .int(tenant.rawValue), .int(id)])
        }
        if changed == 0 { throw StorageError.notFound }
    }
}

extension SQLConnection {
    /// With a transaction already begun on this connection: runs `body` as one unit of
    /// work and commits, or rolls back and rethrows (engine errors as `StorageError`).
    public func runUnitOfWork<T>(_ body: (any UnitOfWork) throws -> T) throws -> T {
        do {
            let result = try body(SQLUnitOfWork(connection: self))
            // A caught error may have aborted the transaction (PostgreSQL): committing
            // would quietly roll back everything while reporting success.
            if transactionAborted { throw StorageError.internalError("the transaction was aborted by an earlier error") }
            try executeScript("COMMIT")
            return result
        } catch {
            try? executeScript("ROLLBACK")
            if let sqlError = error as? SQLError { throw sqlError.storageError }
            throw error
        }
    }
}
