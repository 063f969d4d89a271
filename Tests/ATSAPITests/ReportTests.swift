import ATSAPI
import ATSDomain
import ATSSupport
import ATSFeatures
import ATSPersistence
import ATSTestSupport
import Testing

@Suite("Reports over HTTP (both adapters)", .timeLimit(.minutes(3)))
struct ReportTests {
    private static let hour: Int64 = 3_600_000_000

    private func setSource(_ env: APITestEnvironment, _ application: Int64, _ source: String) throws {
        let db = env.database.database
        let tenant = try #require(try db.read(tenant: nil) { try $0.tenants.find(slug: "default") }).id
        try db.transaction(tenant: tenant) { work in
            try work.transaction.run { () throws(SQLError) in
                _ = try work.transaction.connection.execute("UPDATE applications SET source = $2 WHERE tenant_id = $1 AND id = $3",
                                                            [.int(tenant.rawValue), .text(source), .int(application)])
            }
        }
    }

    private func row(_ rows: [JSONValue], _ key: String, field: String = "key") -> JSONValue? {
        rows.first { $0[field] == .string(key) }
    }

    @Test("funnel, time in stage and sources: the numbers of data the test built, per job and tenant-wide, in a window", arguments: Backend.allCases)
    func numbers(_ backend: Backend) throws {
        // The history is written through the API at times the test sets (hours from now).
        let clock = TestClock()
        let env = try APITestEnvironment(backend, clock: clock)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let candidates = try env.candidates(6, prefix: "c")
        let job = try env.job(recruiter)
        // A job with its own stages: `signed` is its hired stage.
        let custom = try env.job(recruiter)
        let put = try env.call("PUT", "/api/jobs/\(custom)/pipeline",
                               body: pipelineBody([("applied", "Applied", "applied"), ("tech", "Tech", "interview"), ("signed", "Signed", "hired")]), token: recruiter)
        #expect(put.status == 200, "\(put.text)")
        clock.set(hours: -240)
        let apps = try candidates.prefix(4).map { try env.apply(job, $0) }
        let customApp = try env.apply(custom, candidates[5])
        // Outside the default window (90 days).
        clock.set(hours: -4800)
        let old = try env.apply(job, candidates[4])
        func move(_ application: Int64, _ stage: String, at hours: Double) throws {
            clock.set(hours: hours)
            let moved = try env.move(application, stage, recruiter)
            #expect(moved.status == 200, "\(moved.text)")
        }
        try move(apps[0], "screening", at: -230)
        try move(apps[0], "interview", at: -210)
        try move(apps[0], "offer", at: -200)
        try move(apps[0], "hired", at: -190)
        try move(apps[1], "screening", at: -220)
        try move(apps[1], "rejected", at: -216)
        try move(apps[2], "screening", at: -210)
        try move(customApp, "tech", at: -235)
        try move(customApp, "signed", at: -234)
        try move(old, "screening", at: -4790)
        clock.set(hours: 0)
        try setSource(env, apps[0], "referral")
        try setSource(env, apps[1], "referral")

        let funnel = try env.call("GET", "/api/reports/funnel?job_id=\(job)", token: recruiter)
        #expect(funnel.status == 200, "\(funnel.text)")
        #expect(funnel["job_id"] == .int(job) && funnel["applications"] == .int(4) && funnel["hired"] == .int(1) && funnel["rejected"] == .int(1), "\(funnel.text)")
        let stages = list(funnel["stages"])
        #expect(stages.map { $0["key"]?.string ?? "" } == ["applied", "screening", "interview", "offer", "hired", "rejected"])
        let expected: [(String, Int64, Int64)] = [("applied", 4, 1), ("screening", 3, 1), ("interview", 1, 0), ("offer", 1, 0), ("hired", 1, 1), ("rejected", 1, 1)]
        for (key, reached, current) in expected {
            let stage = row(stages, key)
            #expect(stage?["reached"] == .int(reached) && stage?["current"] == .int(current), "\(key): \(String(describing: stage))")
        }
        #expect(row(stages, "screening")?["name"] == .string("Screening") && row(stages, "hired")?["kind"] == .string("hired"))
        let from = try #require(funnel["from"]?.string.flatMap { Timestamp(rfc3339: $0) })
        let to = try #require(funnel["to"]?.string.flatMap { Timestamp(rfc3339: $0) })
        #expect(to.microseconds - from.microseconds == 90 * 24 * Self.hour, "the default window is 90 days")

        // A wider window takes the old application in.
        let wide = try env.call("GET", "/api/reports/funnel?job_id=\(job)&from=\(Timestamp(microseconds: Timestamp.now().microseconds - 365 * 24 * Self.hour).rfc3339)",
                                token: recruiter)
        #expect(wide["applications"] == .int(5), "\(wide.text)")
        #expect(list(wide["stages"]).first { $0["key"] == .string("screening") }?["reached"] == .int(4), "\(wide.text)")

        let times = try env.call("GET", "/api/reports/time-in-stage?job_id=\(job)", token: recruiter)
        #expect(times.status == 200, "\(times.text)")
        #expect(times.items.map { $0["key"]?.string ?? "" } == ["applied", "screening", "interview", "offer", "hired", "rejected"])
        let durations: [(String, Int64, Double?, Double?)] = [("applied", 3, 20, 28), ("screening", 2, 12, 18.4), ("interview", 1, 10, 10), ("offer", 1, 10, 10),
                                                              ("hired", 0, nil, nil), ("rejected", 0, nil, nil)]
        for (key, samples, median, p90) in durations {
            let stage = row(times.items, key)
            #expect(stage?["samples"] == .int(samples), "\(key): \(String(describing: stage))")
            #expect(number(stage?["median_hours"]) == median && number(stage?["p90_hours"]) == p90, "\(key): \(String(describing: stage))")
        }

        // The custom job lists its own stages; tenant-wide, its hire counts and the template's stages are listed.
        let customFunnel = try env.call("GET", "/api/reports/funnel?job_id=\(custom)", token: recruiter)
        #expect(customFunnel["hired"] == .int(1) && customFunnel["applications"] == .int(1), "\(customFunnel.text)")
        let customStages = list(customFunnel["stages"])
        #expect(customStages.map { $0["key"]?.string ?? "" } == ["applied", "tech", "signed", "rejected"])
        #expect(row(customStages, "tech")?["reached"] == .int(1) && row(customStages, "signed")?["current"] == .int(1))
        let all = try env.call("GET", "/api/reports/funnel", token: recruiter)
        #expect(all["job_id"] == .null && all["applications"] == .int(5) && all["hired"] == .int(2) && all["rejected"] == .int(1), "\(all.text)")
        let allTimes = try env.call("GET", "/api/reports/time-in-stage", token: recruiter)
        #expect(row(allTimes.items, "applied")?["samples"] == .int(4), "the custom job's applied stay too: \(allTimes.text)")

        let sources = try env.call("GET", "/api/reports/sources", token: recruiter)
        #expect(sources.status == 200, "\(sources.text)")
        #expect(sources.items.count == 2)
        #expect(row(sources.items, "direct", field: "source")?["applications"] == .int(3) && row(sources.items, "direct", field: "source")?["hired"] == .int(1))
        #expect(row(sources.items, "referral", field: "source")?["applications"] == .int(2) && row(sources.items, "referral", field: "source")?["hired"] == .int(1))
        #expect(sources.items.first?["source"] == .string("direct"), "most applications first")

        // A reopened application enters its stage again: reached counts it once, the
        // rejection's stay is now complete (4 h after -216 is -212).
        clock.set(hours: -212)
        #expect(try env.call("POST", "/api/applications/\(apps[1])/reopen", token: recruiter).status == 200)
        clock.set(hours: 0)
        let reopened = list(try env.call("GET", "/api/reports/funnel?job_id=\(job)", token: recruiter)["stages"])
        #expect(row(reopened, "screening")?["reached"] == .int(3) && row(reopened, "screening")?["current"] == .int(2), "\(reopened)")
        #expect(row(reopened, "rejected")?["reached"] == .int(1) && row(reopened, "rejected")?["current"] == .int(0), "\(reopened)")
        let rejectedStay = row(try env.call("GET", "/api/reports/time-in-stage?job_id=\(job)", token: recruiter).items, "rejected")
        #expect(rejectedStay?["samples"] == .int(1) && number(rejectedStay?["median_hours"]) == 4, "\(String(describing: rejectedStay))")

        // A window with nothing in it.
        let empty = try env.call("GET", "/api/reports/funnel?from=2001-01-01T00:00:00Z&to=2001-02-01T00:00:00Z", token: recruiter)
        #expect(empty.status == 200 && empty["applications"] == .int(0) && empty["hired"] == .int(0), "\(empty.text)")
    }

    private func list(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items } else { return [] }
    }

    private func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let n)?: return Double(n)
        case .double(let d)?: return d
        default: return nil
        }
    }

    @Test("staff only, another tenant sees none of it, and bad windows are 422", arguments: Backend.allCases)
    func accessAndInput(_ backend: Backend) throws {
        let env = try APITestEnvironment(backend)
        let (_, recruiter) = try env.signedIn("rec@x.io", role: .recruiter)
        let (_, admin) = try env.signedIn("admin@x.io", role: .admin)
        let (_, candidate) = try env.signedIn("cand@x.io", role: .candidate)
        let job = try env.job(recruiter)
        _ = try env.apply(job, candidate)
        try env.createTenant("other")
        let (_, otherRecruiter) = try env.signedIn("rec@other.io", role: .recruiter, tenant: "other")

        for path in ["/api/reports/funnel", "/api/reports/time-in-stage", "/api/reports/sources"] {
            #expect(try env.call("GET", path, token: recruiter).status == 200, "\(path)")
            #expect(try env.call("GET", path, token: admin).status == 200, "\(path)")
            #expect(try env.call("GET", path, token: candidate).status == 403, "\(path)")
            #expect(try env.call("GET", path).status == 401, "\(path)")
            for query in ["from=yesterday", "to=2026-13-01T00:00:00Z", "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"] {
                let bad = try env.call("GET", "\(path)?\(query)", token: recruiter)
                #expect(bad.status == 422 && bad.header("Content-Type") == "application/problem+json", "\(path)?\(query): \(bad.text)")
            }
        }
        #expect(try env.call("GET", "/api/reports/funnel", token: recruiter)["applications"] == .int(1))
        #expect(try env.call("GET", "/api/reports/funnel", token: otherRecruiter, tenant: "other")["applications"] == .int(0))
        #expect(try env.call("GET", "/api/reports/sources", token: otherRecruiter, tenant: "other").items.isEmpty)
        #expect(try env.call("GET", "/api/reports/funnel?job_id=\(job)", token: otherRecruiter, tenant: "other").status == 404, "another tenant's job")
        #expect(try env.call("GET", "/api/reports/time-in-stage?job_id=999999", token: recruiter).status == 404)
        #expect(try env.call("GET", "/api/reports/funnel?job_id=abc", token: recruiter).status == 422)
    }
}
