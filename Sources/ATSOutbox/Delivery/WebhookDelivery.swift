import ATSDomain
import ATSSupport
import ATSFeatures
import ATSNet
import ATSPersistence

/// What webhook delivery needs besides the outbox: the HTTP client (timeouts, response
/// cap, SSRF checks at every delivery) and the opener of the sealed secrets.
public struct WebhookSender: Sendable {
    public let client: HTTPClient
    public let policy: WebhookPolicy
    let open: @Sendable (String) -> String?

    public init(client: HTTPClient, policy: WebhookPolicy, open: @escaping @Sendable (String) -> String?) {
        self.client = client
        self.policy = policy
        self.open = open
    }

    /// Seconds before the next attempt after failed attempt `attempt` (1-based): about
    /// 1 min, 5 min, 30 min, 2 h, 6 h, 12 h and 24 h (±20 %), then none (dead).
    public static func retryDelay(afterAttempt attempt: Int) -> Double? {
        let schedule: [Double] = [60, 300, 1800, 7200, 21_600, 43_200, 86_400]
        guard attempt >= 1 && attempt <= schedule.count else { return nil }
        return schedule[attempt - 1] * Double.random(in: 0.8..<1.2)
    }

    /// The body a receiver gets: `{id, type, created_at, tenant, data}`, the same bytes on
    /// every attempt (signed with the attempt's time).
    public static func body(_ message: OutboxMessage, tenantSlug: String) -> [UInt8] {
        let data = (try? JSONParser.parse(Array(message.payload.utf8))) ?? .object([])
        return JSONValue.object([("id", .int(message.eventID ?? message.id)), ("type", .string(message.kind)),
                                 ("created_at", .string(message.createdAt.rfc3339)), ("tenant", .string(tenantSlug)), ("data", data)]).bytes
    }
}

extension NotificationDelivery {
    /// One attempt of a claimed webhook delivery: sign, POST, and record the result on
    /// the row, the webhook (failures in a row, disabling) and the log in one transaction.
    func deliverWebhook(_ message: OutboxMessage, tenant: TenantID, slug: String, tenantName: String, key: String, sender: WebhookSender) -> Outcome {
        let attempt = message.attempts + 1
        let webhookID = Int64(message.recipient) ?? 0
        let loaded: (Webhook, WebhookSecrets)?
        do {
            loaded = try database.read(tenant: tenant) { work -> (Webhook, WebhookSecrets)? in
                guard let webhook = try work.webhooks.find(tenant, id: webhookID), let secrets = try work.webhooks.secrets(tenant, id: webhookID) else { return nil }
                return (webhook, secrets)
            }
        } catch {
            log("webhook: cannot read the webhook", [("key", key), ("error", "\(error)")])
            return .unavailable
        }
        guard let (webhook, secrets) = loaded, webhook.active else {
            let why = loaded == nil ? "the webhook was deleted" : "the webhook is disabled"
            guard record(tenant, message.id, key: key, { try $0.markFailed(tenant, id: message.id, error: why, retryAt: nil) }) else { return .unavailable }
            metrics.recordFailure(dead: true)
            return .dead
        }
        let now = Timestamp.now()
        let live = secrets.live(at: now).compactMap(sender.open)
        guard !live.isEmpty, let url = HTTPClientURL(webhook.url) else {
            let why = live.isEmpty ? "the webhook's secret cannot be opened with this process's SECRET_KEY" : "the webhook's URL is not valid"
            guard record(tenant, message.id, key: key, { try $0.markFailed(tenant, id: message.id, error: why, retryAt: nil) }) else { return .unavailable }
            metrics.recordFailure(dead: true)
            return .dead
        }
        let body = WebhookSender.body(message, tenantSlug: slug)
        let eventID = String(message.eventID ?? message.id)
        let headers = [("Content-Type", "application/json"), ("User-Agent", "ats-webhooks/\(ATSVersion.string)"), ("ATS-Event-ID", eventID),
                       ("ATS-Event-Type", message.kind), ("ATS-Delivery-ID", String(message.id)),
                       ("ATS-Signature", WebhookSignature.header(secrets: live, timestamp: now.microseconds / 1_000_000, body: body))]
        // Plain http only where the policy allows it now (a URL saved before it changed).
        let started = MonotonicClock.seconds()
        var status: Int?
        var failure: String?
        if !url.isHTTPS && !sender.policy.allowHTTP {
            failure = "plain http:// is not allowed (ATS_WEBHOOK_ALLOW_HTTP)"
        } else {
            do {
                let response = try sender.client.send(to: url, headers: headers, body: body)
                status = response.status
                if !(200...299).contains(response.status) { failure = "the receiver answered \(response.status)" }
            } catch {
                failure = error.description
            }
        }
        let milliseconds = Int((MonotonicClock.seconds() - started) * 1000)
        let result: WebhookAttemptResult = failure == nil ? .succeeded : status == 410 ? .gone : .failed
        let retryAt: Timestamp? = result == .failed
            ? WebhookSender.retryDelay(afterAttempt: attempt).map { Timestamp(microseconds: Timestamp.now().microseconds + Int64($0 * 1e6)) } : nil
        let finished = Timestamp.now()
        let recorded = recordWork(tenant, key: key) { work in
            switch result {
            case .succeeded: try work.outbox.markSent(tenant, id: message.id, at: finished)
            case .gone, .failed: try work.outbox.markFailed(tenant, id: message.id, error: failure ?? "", retryAt: retryAt)
            }
            try work.webhooks.recordResponse(tenant, delivery: message.id, status: status, durationMilliseconds: milliseconds)
            if try work.webhooks.recordAttempt(tenant, id: webhookID, result, at: finished) {
                try Self.mailAdmins(work, tenant: tenant, tenantName: tenantName, webhook: webhook, reason: result == .gone ? "gone" : "failures")
            }
        }
        guard recorded else { return .unavailable }
        if result == .succeeded {
            metrics.recordSent(latencySeconds: Double(finished.microseconds - message.createdAt.microseconds) / 1e6)
            return .sent
        }
        log(retryAt == nil ? "webhook: delivery failed for good" : "webhook: delivery failed; will retry",
            [("key", key), ("attempt", String(attempt)), ("error", failure ?? "")])
        metrics.recordFailure(dead: retryAt == nil)
        return retryAt == nil ? .dead : .retry
    }

    /// The tenant's active admins are told that a webhook was disabled (mail, same outbox).
    private static func mailAdmins(_ work: UnitOfWork, tenant: TenantID, tenantName: String, webhook: Webhook, reason: String) throws {
        let admins = try work.users.list(tenant, filter: UserFilter(role: .admin), page: Page(limit: 100, offset: 0)).items.filter(\.isActive)
        for admin in admins {
            let payload = JSONValue.object([("webhook_id", .string(String(webhook.id))), ("url", .string(webhook.url)), ("reason", .string(reason)),
                                            ("tenant_name", .string(tenantName)), ("recipient_name", .string(admin.fullName ?? admin.email))])
            _ = try work.outbox.enqueue(tenant, NewOutboxMessage(kind: NotificationKind.webhookDisabled.rawValue, recipient: admin.email, payload: payload.text))
        }
    }
}
