import ATSAuth
import ATSDomain
import ATSFeatures
import ATSPersistence
import ATSSupport
import ATSTestSupport
import Foundation
import Testing

/// `NotificationRig` plus an HTTPS webhook receiver trusted through a test CA, and a
/// webhook (subscribed to everything) pointing at it.
final class WebhookWorkerRig {
    let rig: NotificationRig
    let certificates: TestCertificates
    let receiver: WebhookReceiver
    let webhook: Int64

    init(_ backend: Backend, lease: Int = 6, redis: Bool = true) throws {
        rig = try NotificationRig(backend, redis: redis)
        certificates = try TestCertificates()
        receiver = try WebhookReceiver(certificates: certificates)
        rig.environment["ATS_WEBHOOK_ALLOW_PRIVATE"] = "1"
        rig.environment["ATS_WEBHOOK_CA_FILE"] = certificates.caFile
        rig.environment["ATS_NOTIFY_LEASE"] = String(lease)
        let sealer = try SecretSealer(secretKey: Array(try #require(rig.environment["SECRET_KEY"]).utf8))
        let (tenant, url) = (rig.fixture.tenant, receiver.url)
        webhook = try rig.test.database.transaction(tenant: tenant) {
            try $0.webhooks.create(tenant, NewWebhook(url: url, events: ["*"], description: nil, active: true, secret: sealer.seal("whsec_test")))
        }.id
    }

    /// An event as a service raises it: its webhook delivery is queued in the transaction.
    func publish(_ n: Int) throws {
        try rig.test.database.transaction(tenant: rig.fixture.tenant) {
            try $0.publish(.resource(ResourceEvent(.jobCreated, [("job", .object([("id", .int(Int64(n)))]))])), actor: nil, tenant: rig.fixture.tenant)
        }
    }

    func deliveries() throws -> [OutboxMessage] {
        try rig.test.database.read(tenant: rig.fixture.tenant) { try $0.webhooks.deliveries(rig.fixture.tenant, webhook: webhook, page: Page(limit: 100, offset: 0)) }.items
    }

    /// Event ids the receiver answered 2xx, in order.
    var acknowledged: [String] { receiver.requests.filter { (200...299).contains($0.status) }.compactMap { $0.header("ATS-Event-ID") } }
}

/// Webhooks through ats worker and Redis: crash safety like mail. In the mail suite, so
/// these run one at a time with it (each holds a test thread while it waits on processes).
extension WorkerTests {
    @Test("a worker killed mid-delivery: another reclaims it, and the receiver answers 2xx to it once", arguments: [Backend.postgres])
    func webhookWorkerKilledMidDelivery(_ backend: Backend) throws {
        let w = try WebhookWorkerRig(backend)
        try w.receiver.answer("hold")
        let first = try w.rig.worker()
        try w.publish(1)
        #expect(eventually(15) { w.receiver.isHolding }, "\(first.log)")
        first.killHard()
        try w.receiver.answer("")
        let second = try w.rig.worker()
        #expect(eventually(40) { try w.deliveries().first?.status == .sent }, "\(second.log)")
        usleep(500_000)
        #expect(w.acknowledged.count == 1, "\(w.receiver.requests.map(\.status))")
        #expect(second.log.contains("reclaimed entries of a consumer that stopped"))
        #expect(second.stop() == 0)
    }

    @Test("Redis stopped while events keep coming: none lost, each acknowledged once after Redis returns", arguments: Backend.allCases)
    func webhookRedisOutage(_ backend: Backend) throws {
        let w = try WebhookWorkerRig(backend)
        let worker = try w.rig.worker()
        try w.publish(0)
        #expect(eventually(15) { w.acknowledged.count == 1 }, "\(worker.log)")
        w.rig.redis.stop()
        for n in 1...3 { try w.publish(n) }
        usleep(500_000)
        #expect(w.acknowledged.count == 1, "nothing moves while Redis is down")
        try w.rig.redis.start()
        #expect(eventually(40) { try w.deliveries().allSatisfy { $0.status == .sent } && w.acknowledged.count >= 4 }, "\(worker.log)")
        usleep(500_000)
        #expect(w.acknowledged.count == 4 && Set(w.acknowledged).count == 4, "\(w.acknowledged)")
        #expect(worker.stop() == 0)
    }

    /// Run alone by scripts/test (with ATS_TEST_POSTGRES_RESTART), like the mail one.
    @Test("a PostgreSQL restart under ats worker: webhooks before and after it are acknowledged once each",
          .enabled(if: PostgresTestServer.restartCommand != nil))
    func survivesPostgresRestartWebhooks() throws {
        let restart = try #require(PostgresTestServer.restartCommand)
        let w = try WebhookWorkerRig(.postgres)
        let worker = try w.rig.worker()
        try w.publish(1)
        #expect(eventually(15) { w.acknowledged.count == 1 }, "\(worker.log)")
        #expect(system(restart + " >/dev/null 2>&1 </dev/null") == 0)
        #expect(eventually(20) { (try? w.publish(2)) != nil })
        #expect(eventually(30) { w.acknowledged.count == 2 }, "\(worker.log)")
        usleep(500_000)
        #expect(Set(w.acknowledged).count == 2 && w.acknowledged.count == 2)
        #expect(worker.stop() == 0)
    }

    @Test("embedded delivery by ats serve (no Redis), across a restart while the receiver was failing: delivered once")
    func webhookEmbeddedAcrossRestart() throws {
        let w = try WebhookWorkerRig(.sqlite, redis: false)
        try w.receiver.answer("503")
        let first = try w.rig.serve()
        _ = try first.port()
        try w.publish(1)
        #expect(eventually(15) { try w.deliveries().first?.attempts == 1 }, "\(first.log)")
        #expect(first.stop() == 0)
        // The retry is due in about a minute: make it due now, as time would.
        try w.rig.test.database.transaction(tenant: w.rig.fixture.tenant) { work in
            _ = try work.transaction.connection.execute("UPDATE outbox SET available_at = $1 WHERE tenant_id = $2",
                                                        [.timestamp(Timestamp.now()), .int(w.rig.fixture.tenant.rawValue)])
        }
        try w.receiver.answer("")
        let second = try w.rig.serve()
        _ = try second.port()
        #expect(eventually(20) { try w.deliveries().first?.status == .sent }, "\(second.log)")
        usleep(300_000)
        #expect(w.acknowledged.count == 1 && w.receiver.requests.count == 2)
        #expect(second.stop() == 0)
    }
}
