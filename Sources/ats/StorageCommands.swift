import ATSAPI
import ATSAuth
import ATSConfiguration
import ATSDomain
import ATSSupport
import ATSPostgres
import ATSFeatures
import ATSPersistence
#if canImport(Glibc)
import Glibc
#endif

/// `ats migrate`, `ats tenant`, `ats user`, `ats seed`.
enum StorageCommands {
    /// A failure to report as `ats: <message>` with exit 1.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: migrate

    static func migrate(_ action: MigrateAction, _ config: Configuration) throws {
        switch action {
        case .new(let name): return try newMigration(name)
        case .embed: return try embedMigrations()
        default: break
        }
        let opened = try OpenedDatabase.open(config, owner: true, poolSize: 1)
        try opened.withMigrationRunner { runner in
            switch action {
            case .up(let target):
                let applied = try runner.up(to: target, distributed: { print("citus: \($0)") })
                if applied.isEmpty { print("already up to date") }
                for m in applied { print("applied \(versionText(m.version)) \(m.name)") }
            case .down(let steps):
                let reverted = try runner.down(steps)
                if reverted.isEmpty { print("nothing to revert") }
                for m in reverted { print("reverted \(versionText(m.version)) \(m.name)") }
            case .status:
                let status = try runner.status()
                let changed = Set(status.changed.map(\.version))
                for record in status.applied {
                    let mark = changed.contains(record.version) ? "changed" : status.unknown.contains(record) ? "unknown" : "applied"
                    print("\(mark.padded(8)) \(versionText(record.version)) \(record.name)  (\(record.appliedAt))")
                }
                for m in status.pending { print("pending  \(versionText(m.version)) \(m.name)") }
            case .stamp(let version):
                try runner.stamp(version)
                print("stamped at \(versionText(version))")
            case .new, .embed:
                break
            }
        }
        if case .up = action, case .postgres(let db) = opened {
            try db.grantApplicationRole(config.databaseAppRole)
            print("granted \(config.databaseAppRole) access to the tables")
        }
    }

    private static func versionText(_ v: Int) -> String {
        let s = String(v)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }

    static let migrationsDirectory = "db/migrations"
    static let embeddedSource = "Sources/ATSPersistence/Migrations/EmbeddedMigrations.swift"

    private static func newMigration(_ name: String) throws {
        guard FileSystem.exists(migrationsDirectory + "/sqlite"), FileSystem.exists(migrationsDirectory + "/postgres") else {
            throw Failure("run 'ats migrate new' in the repository root (no \(migrationsDirectory)/sqlite and /postgres here)")
        }
        var highest = 0
        for dialect in ["sqlite", "postgres"] {
            for file in try FileSystem.list("\(migrationsDirectory)/\(dialect)") {
                if let v = Int(file.prefix(while: { $0.isNumber })) { highest = max(highest, v) }
            }
        }
        let file = "\(versionText(highest + 1))_\(name).sql"
        for dialect in ["sqlite", "postgres"] {
            let path = "\(migrationsDirectory)/\(dialect)/\(file)"
            try FileSystem.write(path, Migration.template(name: name))
            print("created \(path)")
        }
        try embedMigrations()
    }

    private static func embedMigrations() throws {
        guard FileSystem.exists(embeddedSource) else {
            throw Failure("run 'ats migrate embed' in the repository root (no \(embeddedSource) here)")
        }
        func files(_ dialect: String) throws -> [(name: String, contents: String)] {
            try FileSystem.list("\(migrationsDirectory)/\(dialect)").filter { $0.hasSuffix(".sql") }.map { name in
                let contents = try FileSystem.read("\(migrationsDirectory)/\(dialect)/\(name)")
                _ = try Migration(fileName: name, contents: contents)  // refuse a malformed file now, not at run time
                return (name, contents)
            }
        }
        let source = MigrationCatalog.renderEmbeddedSource(sqlite: try files("sqlite"), postgres: try files("postgres"))
        try FileSystem.write(embeddedSource, source)
        print("wrote \(embeddedSource); rebuild to include the migrations")
    }

    // MARK: tenant (TenantService)

    static func createTenant(slug: String, name: String, _ config: Configuration) throws {
        let tenant = try TenantService().create(try ready(config), slug: slug, name: name)
        print("created tenant \(tenant.slug) (id \(tenant.id))")
    }

    static func listTenants(_ config: Configuration) throws {
        for tenant in try TenantService().list(try ready(config)) {
            print("\(String(tenant.id.rawValue).padded(6)) \(tenant.slug.padded(24)) \(tenant.name)" + (tenant.status == .suspended ? " (suspended)" : ""))
        }
    }

    /// Everything the tenant owns, as one JSON document on stdout (TenantData's tables,
    /// without password hashes).
    static func exportTenant(_ slug: String, _ config: Configuration) throws {
        print(try TenantService().export(try ready(config), slug: slug).text)
    }

    /// Deletes a tenant and all its data in one transaction; the slug must be typed twice.
    static func deleteTenant(_ slug: String, confirmation: String, _ config: Configuration) throws {
        try TenantService().delete(try ready(config), slug: slug, confirmation: confirmation, defaultTenant: config.defaultTenant)
        print("deleted tenant \(slug) and all its data")
    }

    // MARK: user (UserService)

    static func createUser(tenant slug: String, email rawEmail: String, role: Role, fullName: String?, _ config: Configuration) throws {
        guard let email = Validation.normalizedEmail(rawEmail) else { throw Failure("'\(rawEmail)' is not an email address") }
        let db = try ready(config)
        let tenant = try TenantService().find(db, slug: slug)
        let password = try PasswordInput.read()
        guard Validation.isAcceptablePassword(password) else { throw Failure("the password must be 8 to 1024 characters") }
        let hash = try PasswordHasher.owaspMinimum.hash(password)
        let user = try db.transaction(tenant: tenant.id) {
            try UserService().create($0, tenant: tenant.id, by: .system, NewUser(email: email, passwordHash: hash, fullName: fullName, role: role))
        }
        print("created \(role.rawValue) \(user.email) (id \(user.id)) in tenant \(tenant.slug)")
    }

    // MARK: seed (UserService, JobService)

    static func seed(_ config: Configuration) throws {
        let db = try ready(config)
        guard let tenant = try? TenantService().find(db, slug: Tenant.defaultSlug) else {
            throw Failure("the default tenant is missing; run 'ats migrate up'")
        }
        let people: [(email: String, name: String, role: Role)] = [
            ("admin@example.com", "Demo Admin", .admin),
            ("recruiter@example.com", "Demo Recruiter", .recruiter),
        ]
        let jobs: [(title: String, company: String, location: String, description: String)] = [
            ("Backend Developer", "TechCorp", "Remote", "Build and run the APIs behind our products."),
            ("Frontend Engineer", "WebWorks", "Berlin", "Craft fast, accessible web interfaces."),
            ("Data Analyst", "DataPlus", "London", "Turn data into decisions for our customers."),
        ]
        // Hash outside the transaction: Argon2id is deliberately slow.
        var newPasswords: [String: (password: String, hash: String)] = [:]
        for person in people {
            let password = try SecureRandom.password()
            newPasswords[person.email] = (password, try PasswordHasher.owaspMinimum.hash(password))
        }
        let userService = UserService(), jobService = JobService()
        let created = try db.transaction(tenant: tenant.id) { work -> (users: [(String, Role, String)], jobs: [String]) in
            var users: [(String, Role, String)] = []
            var recruiter: User?
            for person in people {
                if let existing = try work.users.find(tenant.id, email: person.email) {
                    if person.role == .recruiter { recruiter = existing }
                    continue
                }
                guard let secret = newPasswords[person.email] else { continue }
                let user = try userService.create(work, tenant: tenant.id, by: .system,
                                            NewUser(email: person.email, passwordHash: secret.hash, fullName: person.name, role: person.role))
                users.append((person.email, person.role, secret.password))
                if person.role == .recruiter { recruiter = user }
            }
            guard let owner = recruiter else { return (users, []) }
            let existing = try work.jobs.list(tenant.id, filter: JobFilter(), page: Page(limit: 100, offset: 0)).items
            var createdJobs: [String] = []
            for job in jobs where !existing.contains(where: { $0.title == job.title && $0.company == job.company }) {
                _ = try jobService.create(work, tenant: tenant.id, caller: owner, NewJob(title: job.title, company: job.company, description: job.description,
                                                                                      location: job.location, status: .open, createdBy: owner.id))
                createdJobs.append("\(job.title) at \(job.company)")
            }
            return (users, createdJobs)
        }
        for job in created.jobs { print("created job: \(job)") }
        for (email, role, password) in created.users {
            print("created \(role.rawValue) \(email) with password \(password)  (shown once; store it now)")
        }
        if created.jobs.isEmpty && created.users.isEmpty { print("already seeded: nothing to add") }
    }

    /// Opens the database for a command; on SQLite applies pending migrations first (the
    /// embedded default should just work), on PostgreSQL insists the schema is current.
    static func ready(_ config: Configuration) throws -> any Database {
        let opened = try OpenedDatabase.open(config, poolSize: 2)
        try ensureSchema(opened, log: nil)
        return opened.database
    }

    static func ensureSchema(_ opened: OpenedDatabase, log: Logger?) throws {
        try opened.withMigrationRunner { runner in
            switch opened {
            case .sqlite:
                for m in try runner.up() { log?.info("applied migration", [("version", String(m.version)), ("name", m.name)]) }
            case .postgres:
                let status = try runner.inspect()
                if let changed = status.changed.first { throw MigrationError.changed(version: changed.version, name: changed.name) }
                if !status.unknown.isEmpty { throw MigrationError.unknownApplied(status.unknown.map(\.version)) }
                if !status.pending.isEmpty {
                    throw Failure("the database schema is behind this binary (\(status.pending.count) pending migration(s)); run 'ats migrate up'")
                }
            }
        }
    }
}

/// Reads a password without ever taking it from the command line: from a terminal with
/// echo off (asked twice), otherwise one line of standard input.
enum PasswordInput {
    static func read() throws -> String {
        if isatty(0) == 1 {
            let first = try prompt("Password: ")
            let second = try prompt("Repeat password: ")
            guard first == second else { throw StorageCommands.Failure("the passwords do not match") }
            return first
        }
        guard let line = readLine(strippingNewline: true) else { throw StorageCommands.Failure("no password on standard input") }
        return line.hasSuffix("\r") ? String(line.dropLast()) : line
    }

    private static func prompt(_ text: String) throws -> String {
        writeStandardError(text)
        var saved = termios()
        tcgetattr(0, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSAFLUSH, &silent)
        defer {
            tcsetattr(0, TCSAFLUSH, &saved)
            writeStandardError("\n")
        }
        guard let line = readLine(strippingNewline: true) else { throw StorageCommands.Failure("no password entered") }
        return line
    }
}
