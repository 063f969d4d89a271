// Data-layer benchmark for scripts/bench: inserts per second and jobs-list queries per
// second through the repositories, on SQLite or PostgreSQL. Not part of the product.
//
//   ats-storage-bench sqlite:///tmp/bench.db
//   ats-storage-bench postgres://app@host/db postgres://owner@host/db
import ATSDomain
import ATSSupport
import ATSPostgres
import ATSSQLite
import ATSFeatures
import ATSPersistence
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

let threads = 4
let insertsPerThread = 500
let querySeconds = 3.0

func seconds() -> Double { MonotonicClock.seconds() }

/// Runs `body(thread)` on `threads` OS threads and waits for all.
func parallel(_ body: @escaping @Sendable (Int) -> Void) {
    final class Box: @unchecked Sendable {
        let body: (Int) -> Void
        let index: Int
        init(_ body: @escaping (Int) -> Void, _ index: Int) { self.body = body; self.index = index }
    }
    var handles: [pthread_t] = []
    for i in 0..<threads {
        var handle = pthread_t()
        let box = Unmanaged.passRetained(Box(body, i)).toOpaque()
        pthread_create(&handle, nil, { arg in
            guard let arg else { return nil }
            let box = Unmanaged<Box>.fromOpaque(arg).takeRetainedValue()
            box.body(box.index)
            return nil
        }, box)
        handles.append(handle)
    }
    for handle in handles { pthread_join(handle, nil) }
}

func fail(_ message: String) -> Never {
    let line = Array("ats-storage-bench: \(message)\n".utf8)
    _ = write(2, line, line.count)
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let url = arguments.first else { fail("usage: ats-storage-bench DATABASE_URL [OWNER_URL]") }

let database: any Database
do {
    if PostgresDatabase.isPostgresURL(url) {
        let owner = PostgresDatabase(url: arguments.count > 1 ? arguments[1] : url, poolSize: 1)
        _ = try owner.withConnection { try MigrationRunner(connection: $0, migrations: MigrationCatalog.migrations(for: .postgres)).up() }
        try owner.grantApplicationRole(ProcessInfo.appRole)
        database = PostgresDatabase(url: url, poolSize: threads)
    } else {
        guard let path = SQLiteDatabase.path(fromURL: url) else { fail("bad sqlite URL") }
        let sqlite = try SQLiteDatabase(path: path, readers: threads)
        _ = try sqlite.withWriter { try MigrationRunner(connection: $0, migrations: MigrationCatalog.migrations(for: .sqlite)).up() }
        database = sqlite
    }
} catch {
    fail("\(error)")
}

enum ProcessInfo {
    static var appRole: String { getenv("ATS_DB_APP_ROLE").map { String(cString: $0) } ?? "ats_app" }
}

do {
    let slug = "bench\(UInt32.random(in: 0...UInt32.max))"
    let tenant = try database.transaction(tenant: nil) { try $0.tenants.create(slug: slug, name: "Bench") }
    let recruiter = try database.transaction(tenant: tenant.id) {
        try $0.users.create(tenant.id, NewUser(email: "r@\(slug).io", passwordHash: "x", fullName: nil, role: .recruiter))
    }

    // Inserts: one job per transaction, as a request would, from `threads` threads.
    let errors = Atomic<Int>(0)
    let start = seconds()
    parallel { t in
        for i in 0..<insertsPerThread {
            do {
                _ = try database.transaction(tenant: tenant.id) {
                    try $0.jobs.create(tenant.id, NewJob(title: "Job \(t)-\(i)", company: "Company \(i % 7)", description: "Benchmark job",
                                                        location: i % 2 == 0 ? "Remote" : "Berlin", status: i % 5 == 0 ? .draft : .open, createdBy: recruiter.id))
                }
            } catch {
                errors.add(1, ordering: .relaxed)
            }
        }
    }
    let insertRate = Double(threads * insertsPerThread) / (seconds() - start)

    // Jobs list: GET /api/jobs/?limit=20 for an anonymous user (open jobs, newest first, with the count).
    let queries = Atomic<Int>(0)
    let queryStart = seconds()
    parallel { _ in
        while seconds() - queryStart < querySeconds {
            do {
                let page = try database.read(tenant: tenant.id) {
                    try $0.jobs.list(tenant.id, filter: JobFilter(statuses: [.open]), page: Page(limit: 20, offset: 0))
                }
                if page.items.count == 20 { queries.add(1, ordering: .relaxed) } else { errors.add(1, ordering: .relaxed) }
            } catch {
                errors.add(1, ordering: .relaxed)
            }
        }
    }
    let queryRate = Double(queries.load(ordering: .relaxed)) / (seconds() - queryStart)
    print("dialect=\(database.dialect.rawValue) inserts_per_s=\(Int(insertRate)) jobs_list_per_s=\(Int(queryRate)) errors=\(errors.load(ordering: .relaxed)) threads=\(threads)")
} catch {
    fail("\(error)")
}
