import ATSFeatures
import ATSDomain
import ATSSupport
@testable import ATSPersistence
import Synchronization
import ATSTestSupport
import ATSPostgres
import Testing

@Suite("Repository contract (both adapters)", .timeLimit(.minutes(3)))
struct RepositoryContractTests {
    @Test(arguments: Backend.allCases)
    func tenants(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let db = test.database
        let created = try db.transaction(tenant: nil) { try $0.tenants.create(slug: "acme", name: "Acme") }
        #expect(created.id.rawValue > 1)
        #expect(try db.read(tenant: nil) { try $0.tenants.find(slug: "acme") } == created)
        #expect(try db.read(tenant: nil) { try $0.tenants.find(id: created.id) }?.slug == "acme")
        #expect(try db.read(tenant: nil) { try $0.tenants.find(slug: "default") }?.id == TenantID(1))
        #expect(throws: StorageError.duplicateSlug) { try db.transaction(tenant: nil) { try $0.tenants.create(slug: "acme", name: "Again") } }
        #expect(try db.read(tenant: nil) { try $0.tenants.list() }.map(\.slug) == ["default", "acme"])
    }

    @Test(arguments: Backend.allCases)
    func usersAndTheirConstraints(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let other = try Fixture.make(test.database)
        let db = test.database
        #expect(try db.read(tenant: f.tenant) { try $0.users.find(f.tenant, email: "rec@\(try slug(db, f.tenant)).io") }?.id == f.recruiter.id)
        #expect(throws: StorageError.duplicateEmail) {
            try db.transaction(tenant: f.tenant) { try $0.users.create(f.tenant, NewUser(email: f.recruiter.email, passwordHash: "h", fullName: nil, role: .admin)) }
        }
        // The same email in another tenant is another user.
        let twin = try db.transaction(tenant: other.tenant) { try $0.users.create(other.tenant, NewUser(email: f.recruiter.email, passwordHash: "h", fullName: nil, role: .admin)) }
        #expect(twin.id != f.recruiter.id)

        let updated = try db.transaction(tenant: f.tenant) { try $0.users.update(f.tenant, id: f.candidate.id, UserChanges(role: .admin, isActive: false, fullName: .some(nil))) }
        #expect(updated.role == .admin && !updated.isActive && updated.fullName == nil)
        #expect(try db.transaction(tenant: f.tenant) { try $0.users.countActiveAdmins(f.tenant) } == 0)
        _ = try db.transaction(tenant: f.tenant) { try $0.users.update(f.tenant, id: f.candidate.id, UserChanges(isActive: true)) }
        #expect(try db.transaction(tenant: f.tenant) { try $0.users.countActiveAdmins(f.tenant) } == 1)

        let recruiters = try db.read(tenant: f.tenant) { try $0.users.list(f.tenant, filter: UserFilter(role: .recruiter), page: Page()) }
        #expect(recruiters.items.map(\.id) == [f.recruiter.id] && recruiters.total == 1)
        let byName = try db.read(tenant: f.tenant) { try $0.users.list(f.tenant, filter: UserFilter(q: "REC"), page: Page()) }
        #expect(byName.items.map(\.id) == [f.recruiter.id])
        let wildcard = try db.read(tenant: f.tenant) { try $0.users.list(f.tenant, filter: UserFilter(q: "%"), page: Page()) }
        #expect(wildcard.total == 0, "LIKE wildcards in q are literal")
        #expect(throws: StorageError.notFound) { try db.transaction(tenant: f.tenant) { try $0.users.update(f.tenant, id: UserID(999_999), UserChanges(role: .admin)) } }
    }

    @Test(arguments: Backend.allCases)
    func jobsListFiltersPaginationAndOrder(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let db = test.database
        let backendJob = try f.job("Backend Developer", company: "TechCorp", location: "Remote")
        let frontend = try f.job("Frontend Engineer", company: "WebWorks", location: "Berlin", description: "React and CSS")
        let draft = try f.job("Data Analyst", company: "DataPlus", status: .draft)
        let closed = try f.job("Old Role", company: "TechCorp", status: .closed)

        let all = try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(), page: Page()) }
        #expect(all.items.map(\.id) == [closed.id, draft.id, frontend.id, backendJob.id], "newest first")
        #expect(all.total == 4)
        let open = try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(statuses: [.open]), page: Page()) }
        #expect(open.items.map(\.id) == [frontend.id, backendJob.id])
        let q = try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(q: "react"), page: Page()) }
        #expect(q.items.map(\.id) == [frontend.id], "q matches the description, ignoring case")
        let company = try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(company: "techcorp"), page: Page()) }
        #expect(Set(company.items.map(\.id)) == [backendJob.id, closed.id])
        let location = try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(location: "BERLIN"), page: Page()) }
        #expect(location.items.map(\.id) == [frontend.id])
        let page2 = try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(), page: Page(limit: 2, offset: 2)) }
        #expect(page2.items.map(\.id) == [frontend.id, backendJob.id] && page2.total == 4)
        let beyond = try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(), page: Page(limit: 2, offset: 10)) }
        #expect(beyond.items.isEmpty && beyond.total == 4)
    }

    @Test(arguments: Backend.allCases)
    func jobsUpdateAndDelete(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let db = test.database
        let job = try f.job()
        let updated = try db.transaction(tenant: f.tenant) {
            try $0.jobs.update(f.tenant, id: job.id, JobChanges(title: "Senior Engineer", description: .some("New"), status: .closed))
        }
        #expect(updated.title == "Senior Engineer" && updated.description == "New" && updated.status == .closed && updated.company == "Acme")
        #expect(updated.updatedAt >= job.updatedAt)
        #expect(try db.read(tenant: f.tenant) { try $0.jobs.find(f.tenant, id: job.id) } == updated)

        let applied = try f.job("Applied To")
        _ = try db.transaction(tenant: f.tenant) { try $0.applications.create(f.tenant, NewApplication(jobID: applied.id, candidateID: f.candidate.id), actor: f.candidate.id) }
        #expect(throws: StorageError.hasDependents) { try db.transaction(tenant: f.tenant) { try $0.jobs.delete(f.tenant, id: applied.id) } }
        try db.transaction(tenant: f.tenant) { try $0.jobs.delete(f.tenant, id: job.id) }
        #expect(try db.read(tenant: f.tenant) { try $0.jobs.find(f.tenant, id: job.id) } == nil)
        #expect(throws: StorageError.notFound) { try db.transaction(tenant: f.tenant) { try $0.jobs.delete(f.tenant, id: job.id) } }
        #expect(throws: StorageError.notFound) { try db.transaction(tenant: f.tenant) { try $0.jobs.update(f.tenant, id: job.id, JobChanges(title: "x")) } }
    }

    @Test(arguments: Backend.allCases)
    func applicationsStagesVersionsAndEvents(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let db = test.database
        let job = try f.job()
        let app = try db.transaction(tenant: f.tenant) {
            try $0.applications.create(f.tenant, NewApplication(jobID: job.id, candidateID: f.candidate.id, coverLetter: "Hi", resumeURL: "https://cv.example/1"), actor: f.candidate.id)
        }
        #expect(app.stage == .applied && app.version == 1 && app.coverLetter == "Hi")
        #expect(throws: StorageError.alreadyApplied) {
            try db.transaction(tenant: f.tenant) { try $0.applications.create(f.tenant, NewApplication(jobID: job.id, candidateID: f.candidate.id), actor: f.candidate.id) }
        }
        let moved = try db.transaction(tenant: f.tenant) {
            try $0.applications.changeStage(f.tenant, id: app.id, from: .applied, to: .screening, expectedVersion: 1, actor: f.recruiter.id, note: "Looks good")
        }.application
        #expect(moved.stage == .screening && moved.version == 2)
        #expect(throws: StorageError.staleVersion) {
            try db.transaction(tenant: f.tenant) { try $0.applications.changeStage(f.tenant, id: app.id, from: .screening, to: .interview, expectedVersion: 1, actor: f.recruiter.id, note: nil) }
        }
        // The failed change left nothing behind.
        let events = try db.read(tenant: f.tenant) { try $0.applications.events(f.tenant, application: app.id) }
        #expect(events.map(\.toStage) == [.applied, .screening])
        #expect(events.map(\.fromStage) == [nil, .applied])
        #expect(events[1].note == "Looks good" && events[1].actorID == f.recruiter.id)

        let other = try f.candidate(7)
        let second = try db.transaction(tenant: f.tenant) { try $0.applications.create(f.tenant, NewApplication(jobID: job.id, candidateID: other.id), actor: other.id) }
        let byJob = try db.read(tenant: f.tenant) { try $0.applications.list(f.tenant, filter: ApplicationFilter(jobID: job.id), page: Page()) }
        #expect(byJob.items.map(\.id) == [second.id, app.id] && byJob.total == 2)
        let mine = try db.read(tenant: f.tenant) { try $0.applications.list(f.tenant, filter: ApplicationFilter(candidateID: f.candidate.id), page: Page()) }
        #expect(mine.items.map(\.id) == [app.id])
        let screening = try db.read(tenant: f.tenant) { try $0.applications.list(f.tenant, filter: ApplicationFilter(stage: .screening), page: Page()) }
        #expect(screening.items.map(\.id) == [app.id])
        #expect(throws: StorageError.notFound) {
            try db.transaction(tenant: f.tenant) { try $0.applications.create(f.tenant, NewApplication(jobID: JobID(999_999), candidateID: other.id), actor: other.id) }
        }
    }

    @Test("deleting a tenant removes all its data and nothing of others", arguments: Backend.allCases)
    func deleteTenant(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let a = try Fixture.make(test.database)
        let b = try Fixture.make(test.database)
        let db = test.database
        for f in [a, b] {
            let job = try f.job()
            _ = try db.transaction(tenant: f.tenant) { try $0.applications.create(f.tenant, NewApplication(jobID: job.id, candidateID: f.candidate.id), actor: f.candidate.id) }
            _ = try db.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "k", recipient: "r@x.io", payload: "{}")) }
        }
        try db.transaction(tenant: a.tenant) { try $0.tenants.deleteWithAllData(a.tenant) }
        #expect(try db.read(tenant: nil) { try $0.tenants.find(id: a.tenant) } == nil)
        #expect(try db.read(tenant: a.tenant) { try $0.users.list(a.tenant, filter: UserFilter(), page: Page()) }.total == 0)
        #expect(try db.read(tenant: b.tenant) { try $0.applications.list(b.tenant, filter: ApplicationFilter(), page: Page()) }.total == 1)
        #expect(try db.read(tenant: b.tenant) { try $0.outbox.list(b.tenant, filter: NotificationFilter(), page: Page()) }.total == 1)
        #expect(throws: StorageError.notFound) { try db.transaction(tenant: a.tenant) { try $0.tenants.deleteWithAllData(a.tenant) } }
    }

    @Test("20 parallel identical applies make exactly one row", arguments: Backend.allCases)
    func parallelAppliesMakeOneRow(_ backend: Backend) async throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let job = try f.job()
        let db = test.database
        let outcomes = Outcomes()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    let outcome: String
                    do {
                        _ = try db.transaction(tenant: f.tenant) { try $0.applications.create(f.tenant, NewApplication(jobID: job.id, candidateID: f.candidate.id), actor: f.candidate.id) }
                        outcome = "created"
                    } catch StorageError.alreadyApplied {
                        outcome = "alreadyApplied"
                    } catch {
                        outcome = "\(error)"
                    }
                    outcomes.list.withLock { $0.append(outcome) }
                }
            }
        }
        let results = outcomes.list.withLock { $0 }
        #expect(results.filter { $0 == "created" }.count == 1)
        #expect(results.filter { $0 == "alreadyApplied" }.count == 19, "\(results)")
        let rows = try db.read(tenant: f.tenant) { try $0.applications.list(f.tenant, filter: ApplicationFilter(jobID: job.id), page: Page()) }
        #expect(rows.total == 1)
    }

    @Test(arguments: Backend.allCases)
    func outboxLifecycle(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let db = test.database
        let message = try db.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "application.received", recipient: "a@b.io", payload: "{}")) }
        let second = try db.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "k", recipient: "c@d.io", payload: "{\"x\":1}")) }
        #expect(message.status == .pending && message.attempts == 0)
        let now = Timestamp.now()
        #expect(try db.read(tenant: f.tenant) { try $0.outbox.due(f.tenant, now: now, limit: 10) }.map(\.id) == [message.id, second.id])
        let later = Timestamp(microseconds: now.microseconds + 60_000_000)
        try db.transaction(tenant: f.tenant) { try $0.outbox.markFailed(f.tenant, id: message.id, error: "SMTP 451", retryAt: later) }
        #expect(try db.read(tenant: f.tenant) { try $0.outbox.due(f.tenant, now: now, limit: 10) }.map(\.id) == [second.id], "not due before its retry time")
        try db.transaction(tenant: f.tenant) { try $0.outbox.markFailed(f.tenant, id: second.id, error: "gave up", retryAt: nil) }
        try db.transaction(tenant: f.tenant) { try $0.outbox.markSent(f.tenant, id: message.id, at: later) }
        let listed = try db.read(tenant: f.tenant) { try $0.outbox.list(f.tenant, filter: NotificationFilter(), page: Page()) }
        #expect(listed.total == 2)
        let sent = try #require(listed.items.first { $0.id == message.id })
        #expect(sent.status == .sent && sent.attempts == 2 && sent.lastError == nil && sent.sentAt == later)
        let dead = try db.read(tenant: f.tenant) { try $0.outbox.list(f.tenant, filter: NotificationFilter(status: .dead), page: Page()) }
        #expect(dead.items.map(\.id) == [second.id] && dead.items.first?.lastError == "gave up")
        #expect(try db.read(tenant: f.tenant) { try $0.outbox.countByStatus(f.tenant) } == [.sent: 1, .dead: 1])
    }

    @Test("delivery claims and the relay's queued mark: one claim at a time, until the lease runs out", arguments: Backend.allCases)
    func outboxClaimsAndQueueing(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let db = test.database
        let a = try db.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "k", recipient: "a@x.io", payload: "{}")) }
        let b = try db.transaction(tenant: f.tenant) { try $0.outbox.enqueue(f.tenant, NewOutboxMessage(kind: "k", recipient: "b@x.io", payload: "{}")) }
        let now = Timestamp(microseconds: Timestamp.now().microseconds + 1_000)
        func at(_ seconds: Int64) -> Timestamp { Timestamp(microseconds: now.microseconds + seconds * 1_000_000) }
        func claim(_ id: Int64, _ when: Timestamp) throws -> OutboxMessage? {
            try db.transaction(tenant: f.tenant) { try $0.outbox.claim(f.tenant, id: id, now: when, leaseUntil: Timestamp(microseconds: when.microseconds + 10_000_000)) }
        }
        func relayable(_ when: Timestamp, requeueBefore: Timestamp) throws -> [Int64] {
            try db.read(tenant: f.tenant) { try $0.outbox.relayable(f.tenant, now: when, requeueBefore: requeueBefore, limit: 10) }.map(\.id)
        }

        #expect(try relayable(now, requeueBefore: at(-60)) == [a.id, b.id])
        try db.transaction(tenant: f.tenant) { try $0.outbox.markQueued(f.tenant, ids: [a.id, b.id], at: now) }
        #expect(try relayable(now, requeueBefore: at(-60)).isEmpty, "queued rows are not queued again")
        #expect(try relayable(at(120), requeueBefore: at(60)) == [a.id, b.id], "…until they have waited past requeueBefore")

        #expect(try claim(a.id, now)?.recipient == "a@x.io")
        #expect(try claim(a.id, at(5)) == nil, "a held claim refuses a second delivery")
        #expect(try db.read(tenant: f.tenant) { try $0.outbox.due(f.tenant, now: at(5), limit: 10) }.map(\.id) == [b.id])
        #expect(try claim(a.id, at(11))?.id == a.id, "an expired lease (its holder died) can be claimed again")

        try db.transaction(tenant: f.tenant) { try $0.outbox.markSent(f.tenant, id: a.id, at: at(12)) }
        #expect(try claim(a.id, at(30)) == nil, "a sent row is never claimed again")
        try db.transaction(tenant: f.tenant) { try $0.outbox.markFailed(f.tenant, id: b.id, error: "451", retryAt: at(20)) }
        #expect(try relayable(at(19), requeueBefore: at(-60)).isEmpty && claim(b.id, at(19)) == nil, "not before its retry time")
        #expect(try relayable(at(21), requeueBefore: at(-60)) == [b.id], "a failed row is queued again when due")
        try db.transaction(tenant: f.tenant) { try $0.outbox.markFailed(f.tenant, id: b.id, error: "gave up", retryAt: nil) }
        #expect(try relayable(at(999), requeueBefore: at(999)).isEmpty && claim(b.id, at(999)) == nil, "dead rows stay dead")
    }

    @Test("tenant B never sees tenant A's rows, through any repository method", arguments: Backend.allCases)
    func tenantIsolation(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let a = try Fixture.make(test.database)
        let b = try Fixture.make(test.database)
        let db = test.database
        let job = try a.job()
        let app = try db.transaction(tenant: a.tenant) { try $0.applications.create(a.tenant, NewApplication(jobID: job.id, candidateID: a.candidate.id), actor: a.candidate.id) }
        let message = try db.transaction(tenant: a.tenant) { try $0.outbox.enqueue(a.tenant, NewOutboxMessage(kind: "k", recipient: "r@x.io", payload: "{}")) }

        try db.read(tenant: b.tenant) { (work) throws -> Void in
            #expect(try work.users.find(b.tenant, id: a.recruiter.id) == nil)
            #expect(try work.users.find(b.tenant, email: a.recruiter.email) == nil)
            #expect(try work.users.list(b.tenant, filter: UserFilter(), page: Page()).items.allSatisfy { $0.tenantID == b.tenant })
            #expect(try work.jobs.find(b.tenant, id: job.id) == nil)
            #expect(try work.jobs.list(b.tenant, filter: JobFilter(), page: Page()).total == 0)
            #expect(try work.applications.find(b.tenant, id: app.id) == nil)
            #expect(try work.applications.list(b.tenant, filter: ApplicationFilter(), page: Page()).total == 0)
            #expect(try work.applications.events(b.tenant, application: app.id).isEmpty)
            #expect(try work.outbox.list(b.tenant, filter: NotificationFilter(), page: Page()).total == 0)
            #expect(try work.outbox.due(b.tenant, now: .now(), limit: 10).isEmpty)
        }
        // Each refused write in its own transaction: on PostgreSQL an error dooms the
        // transaction it happens in (and the unit of work then refuses to commit).
        func refused(_ body: @escaping (UnitOfWork) throws -> Void) {
            #expect(throws: StorageError.notFound) { try db.transaction(tenant: b.tenant, body) }
        }
        refused { _ = try $0.users.update(b.tenant, id: a.recruiter.id, UserChanges(role: .admin)) }
        refused { _ = try $0.jobs.update(b.tenant, id: job.id, JobChanges(title: "stolen")) }
        refused { try $0.jobs.delete(b.tenant, id: job.id) }
        refused { _ = try $0.applications.changeStage(b.tenant, id: app.id, from: .applied, to: .screening, expectedVersion: 1, actor: b.recruiter.id, note: nil) }
        refused { try $0.outbox.markSent(b.tenant, id: message.id, at: .now()) }
        refused { try $0.outbox.markFailed(b.tenant, id: message.id, error: "x", retryAt: nil) }
        // Applying in B to A's job is refused (the job is not B's).
        refused { _ = try $0.applications.create(b.tenant, NewApplication(jobID: job.id, candidateID: b.candidate.id), actor: b.candidate.id) }
        // Nothing of A changed.
        #expect(try db.read(tenant: a.tenant) { try $0.jobs.find(a.tenant, id: job.id) } == job)
        #expect(try db.read(tenant: a.tenant) { try $0.applications.find(a.tenant, id: app.id) }?.stage == .applied)
    }

    @Test("a unit of work that swallowed an error does not report a commit that did not happen", arguments: Backend.allCases)
    func swallowedErrorsDoNotFakeACommit(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let db = test.database
        do {
            try db.transaction(tenant: f.tenant) { work in
                _ = try work.users.create(f.tenant, NewUser(email: "kept@x.io", passwordHash: "h", fullName: nil, role: .candidate))
                _ = try? work.users.create(f.tenant, NewUser(email: "kept@x.io", passwordHash: "h", fullName: nil, role: .candidate))
            }
        } catch {
            // PostgreSQL: the duplicate aborted the transaction, so it must fail loudly.
            #expect(backend == .postgres)
        }
        let stored = try db.read(tenant: f.tenant) { try $0.users.find(f.tenant, email: "kept@x.io") }
        // Either it committed (SQLite keeps the transaction usable) or it said it failed.
        #expect((stored != nil) == (backend == .sqlite))
    }

    @Test("readers refuse writes on both engines", arguments: Backend.allCases)
    func readersAreReadOnly(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        #expect(throws: (any Error).self) {
            try test.database.read(tenant: f.tenant) { _ = try $0.users.create(f.tenant, NewUser(email: "w@x.io", passwordHash: "h", fullName: nil, role: .admin)) }
        }
    }

    @Test("search folds case the same way on both engines", arguments: Backend.allCases)
    func searchCaseFolding(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let job = try f.job("Über Engineer", company: "Äcme")
        let db = test.database
        #expect(try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(q: "Über"), page: Page()) }.items.map(\.id) == [job.id])
        #expect(try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(q: "ENGINEER"), page: Page()) }.items.map(\.id) == [job.id])
        #expect(try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(company: "Äcme"), page: Page()) }.items.map(\.id) == [job.id])
    }

    @Test("savepoints: a failed step inside one is undone alone and the transaction commits the rest (also on PostgreSQL)", arguments: Backend.allCases)
    func savepointsUndoOnlyTheirOwnWork(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        let db = test.database
        let kept = try db.transaction(tenant: f.tenant) { work -> Job in
            let kept = try work.jobs.create(f.tenant, NewJob(title: "Kept", company: "C", createdBy: f.recruiter.id))
            // A duplicate email inside a savepoint: the engine error aborts only the savepoint.
            var caught: (any Error)?
            do {
                try work.savepoint {
                    _ = try work.jobs.create(f.tenant, NewJob(title: "Undone", company: "C", createdBy: f.recruiter.id))
                    _ = try work.users.create(f.tenant, NewUser(email: f.recruiter.email, passwordHash: "h", fullName: nil, role: .admin))
                }
            } catch {
                caught = error
            }
            #expect(caught as? StorageError == .duplicateEmail)
            // Nested savepoints: the inner one's success is released into the outer one.
            try work.savepoint { try work.savepoint { _ = try work.jobs.create(f.tenant, NewJob(title: "Nested", company: "C", createdBy: f.recruiter.id)) } }
            return kept
        }
        let titles = try db.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(), page: Page()) }.items.map(\.title)
        #expect(titles.contains(kept.title) && titles.contains("Nested") && !titles.contains("Undone"))
    }

    @Test("rows decode from both engines' cells: integers at the limits, NULLs between values, text, timestamps", arguments: Backend.allCases)
    func rowDecoding(_ backend: Backend) throws {
        let test = try TestDatabase(backend)
        let stamp = try #require(Timestamp(rfc3339: "2026-11-24T14:45:17.123456Z"))
        let sql = backend == .postgres
            ? "SELECT $1::bigint, NULL, $2::bigint, 'zürich ☃', $3::timestamptz, NULL::timestamptz, -0, '', true"
            : "SELECT CAST($1 AS INTEGER), NULL, CAST($2 AS INTEGER), 'zürich ☃', $3, NULL, -0, '', 1"
        let row = try test.database.read(tenant: nil) { work in
            try work.transaction.connection.queryOne(sql, [.int(Int64.min), .int(Int64.max), .timestamp(stamp)])
        }
        let r = try #require(row)
        #expect(r.count == 9)
        #expect(try r.int(0) == Int64.min && r.optionalInt(1) == nil && r.int(2) == Int64.max)
        #expect(try r.text(3) == "zürich ☃" && r.timestamp(4) == stamp && r.optionalTimestamp(5) == nil)
        #expect(try r.int(6) == 0 && r.text(7) == "" && !r.isNull(7) && r.isNull(1) && r.bool(8))
        #expect(r.cells == [String(Int64.min), nil, String(Int64.max), "zürich ☃", try r.text(4), nil, "0", "", try r.text(8)])
        #expect(throws: SQLError.self) { try r.int(3) }
        #expect(throws: SQLError.self) { try r.int(1) }
        #expect(throws: SQLError.self) { try r.timestamp(3) }
        #expect(throws: SQLError.self) { try r.text(9) }
        let overflow = SQLRow(cells: ["9223372036854775808", "-9223372036854775809", "12a", "-", ""])
        for i in 0..<5 { #expect(throws: SQLError.self) { try overflow.int(i) } }
    }

    @Test("round trips are counted per connection")
    func roundTripsAreCounted() throws {
        for backend in Backend.allCases {
            let test = try TestDatabase(backend)
            let f = try Fixture.make(test.database)
            let (before, after) = try test.database.read(tenant: f.tenant) { work -> (Int, Int) in
                let before = work.transaction.connection.roundTrips
                _ = try work.jobs.find(f.tenant, id: JobID(1))
                return (before, work.transaction.connection.roundTrips)
            }
            #expect(after - before >= 1 && after - before <= 2, "one statement (plus its first PREPARE)")
        }
    }

    @Test("LIKE wildcards are escaped per Unicode scalar: % before a combining mark is a literal %", arguments: Backend.allCases)
    func searchEscapesWildcardsPerScalar(_ backend: Backend) throws {
        #expect(SQLStatement.containsPattern("%\u{301}_\\") == "%\\%\u{301}\\_\\\\%")
        let test = try TestDatabase(backend)
        let f = try Fixture.make(test.database)
        _ = try f.job("Cafe\u{301} Manager")
        let literal = try f.job("50%\u{301} Remote")
        let found = try test.database.read(tenant: f.tenant) { try $0.jobs.list(f.tenant, filter: JobFilter(q: "%\u{301}"), page: Page()) }
        #expect(found.items.map(\.id) == [literal.id])
    }

    @Test("row-level security: a raw unfiltered SELECT in tenant B's transaction sees only B's rows")
    func rowLevelSecurityProof() throws {
        let test = try TestDatabase(.postgres)
        let a = try Fixture.make(test.database)
        let b = try Fixture.make(test.database)
        _ = try a.job("A1")
        _ = try a.job("A2")
        _ = try b.job("B1")
        let db = test.database
        func raw(_ tenant: TenantID?, _ sql: String) throws -> [SQLRow] { try rawRead(db, tenant, sql) }
        // Each raw() is a read: on PostgreSQL it travels in one pipeline with the tenant
        // scope (no BEGIN; on Citus with BEGIN and SET LOCAL), so this also proves that path.
        #expect(try raw(b.tenant, "SELECT current_setting('app.tenant_id')").first?.text(0) == String(b.tenant.rawValue))
        #expect(try raw(b.tenant, "SELECT title FROM jobs ORDER BY title").map { try $0.text(0) } == ["B1"])
        #expect(try raw(a.tenant, "SELECT count(*) FROM jobs").first?.int(0) == 2)
        #expect(try raw(nil, "SELECT count(*) FROM jobs").first?.int(0) == 0, "no tenant set: no rows")
        #expect(try raw(b.tenant, "SELECT count(*) FROM users").first?.int(0) == 2)
        // WITH CHECK: B's transaction cannot write a row for A.
        #expect(throws: (any Error).self) {
            try db.transaction(tenant: b.tenant) { (work) throws -> Void in
                try work.transaction.connection.execute("UPDATE jobs SET tenant_id = $1", [.int(a.tenant.rawValue)])
            }
        }
        // The serving role does not own the tables, and RLS is forced even for owners.
        let owner = try raw(b.tenant, "SELECT bool_and(relforcerowsecurity AND relrowsecurity) FROM pg_class WHERE relname IN ('users', 'jobs', 'applications', 'application_events', 'outbox')")
        #expect(try owner.first?.bool(0) == true)
        let isOwner = try raw(b.tenant, "SELECT count(*) FROM pg_tables WHERE tablename = 'jobs' AND tableowner = current_user")
        #expect(try isOwner.first?.int(0) == 0)
    }

    @Test("PostgreSQL reads are one round trip per statement (no BEGIN/COMMIT), and row-level security still binds each one")
    func scopedReadsKeepRowLevelSecurity() throws {
        let test = try TestDatabase(.postgres)
        let a = try Fixture.make(test.database)
        let b = try Fixture.make(test.database)
        _ = try a.job("A1")
        _ = try b.job("B1")
        _ = try b.job("B2")
        // One connection, so every read below reuses what the one before left behind.
        let db = PostgresDatabase(url: test.url, poolSize: 1)
        func raw(_ tenant: TenantID?, _ sql: String) throws -> [SQLRow] { try rawRead(db, tenant, sql) }
        for _ in 0..<3 {
            #expect(try raw(a.tenant, "SELECT title FROM jobs ORDER BY title").map { try $0.text(0) } == ["A1"])
            // The setting ended with its statement's implicit transaction: the next read,
            // with no tenant, sees none and no rows (not A's left over).
            #expect(try raw(nil, "SELECT coalesce(current_setting('app.tenant_id', true), '')").first?.text(0) == "")
            #expect(try raw(nil, "SELECT count(*) FROM jobs").first?.int(0) == 0)
            #expect(try raw(b.tenant, "SELECT title FROM jobs ORDER BY title").map { try $0.text(0) } == ["B1", "B2"])
        }
        // Two statements in one read: each is scoped, and each is one round trip (after
        // the connection has prepared them once).
        let counts = try db.read(tenant: b.tenant) { work -> [Int] in
            let connection = work.transaction.connection
            var counts: [Int] = []
            for _ in 0..<2 {
                let before = connection.roundTrips
                _ = try connection.query("SELECT count(*) FROM jobs", [])
                #expect(try connection.query("SELECT count(*) FROM users", []).first?.int(0) == 2)
                counts.append(connection.roundTrips - before)
            }
            return counts
        }
        #expect(counts.last == 2, "two statements, two round trips: \(counts)")
        #expect(try db.withConnection { try $0.queryOne("SELECT count(*) FROM jobs", [])?.int(0) } == 0, "nothing lingers on the connection")
        // Still read-only: a write inside a read fails, and changes nothing.
        #expect(throws: (any Error).self) {
            try db.read(tenant: b.tenant) { work in try work.transaction.connection.execute("UPDATE jobs SET title = 'X'", []) }
        }
        // A savepoint inside a read goes on in a real (read-only, scoped) transaction.
        let titles = try db.read(tenant: b.tenant) { work in
            try work.savepoint { try work.transaction.connection.query("SELECT title FROM jobs ORDER BY title", []).map { try $0.text(0) } }
        }
        #expect(titles == ["B1", "B2"])
        #expect(try raw(b.tenant, "SELECT title FROM jobs ORDER BY title").map { try $0.text(0) } == ["B1", "B2"])
    }

    private func slug(_ db: any Database, _ tenant: TenantID) throws -> String {
        try db.read(tenant: nil) { try $0.tenants.find(id: tenant)?.slug } ?? ""
    }
}

/// `sql` as the only statement of a read scoped to `tenant` (no repository in between).
private func rawRead(_ db: any Database, _ tenant: TenantID?, _ sql: String) throws -> [SQLRow] {
    try db.read(tenant: tenant) { work in try work.transaction.connection.query(sql, []) }
}

private final class Outcomes: Sendable {
    let list = Mutex<[String]>([])
}
