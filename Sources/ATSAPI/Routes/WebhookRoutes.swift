import ATSDomain
import ATSSupport
import ATSHTTP
import ATSFeatures
import ATSPersistence

/// Webhooks (API.md, Integrations → Webhooks): admin only. The secret appears in the
/// responses of create and rotate only (not cacheable).
struct WebhookRoutes: Sendable {
    let database: any Database
    let webhooks: WebhookService

    func register(on router: inout Router) {
        router.add("GET", "/api/webhooks", api: listWebhooks)
        router.add("POST", "/api/webhooks", idempotency: .ignored, api: createWebhook)
        router.add("GET", "/api/webhooks/{webhook_id}", api: getWebhook)
        router.add("PATCH", "/api/webhooks/{webhook_id}", api: updateWebhook)
        router.add("DELETE", "/api/webhooks/{webhook_id}", api: deleteWebhook)
        router.add("POST", "/api/webhooks/{webhook_id}/rotate-secret", idempotency: .ignored, api: rotateSecret)
        router.add("GET", "/api/webhooks/{webhook_id}/deliveries", api: listDeliveries)
        router.add("POST", "/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", api: redeliver)
    }

    func listWebhooks(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let pagination = try Pagination(request, try QueryReader(request))
        let result = try database.read(tenant: context.tenant.id) { work in
            try webhooks.list(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), page: pagination.page)
        }
        return pagination.response(result.items.map { Representation.webhook($0) }, total: result.total)
    }

    private func readURL(_ body: inout BodyReader, required: Bool) -> String? {
        (body.string("url", required: required, length: 1...WebhookService.urlLength) ?? nil)
    }

    private func readEvents(_ body: inout BodyReader, required: Bool) -> [String]? {
        let events = body.strings("events", count: 50, length: 1...100)
        if events == nil && required && body.raw("events") == nil { body.fail("events", "is required") }
        if let events, let problem = WebhookService.eventsProblem(events) { body.fail("events", problem) }
        return events
    }

    func createWebhook(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        var body = try BodyReader(request)
        let url = readURL(&body, required: true)
        let events = readEvents(&body, required: true)
        let description = body.string("description", length: WebhookService.descriptionLength, nullable: true) ?? nil
        let active = body.bool("active") ?? true
        try body.finish()
        let created = try database.transaction(tenant: context.tenant.id) { work in
            try webhooks.create(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), url: url ?? "", events: events ?? [],
                                description: description, active: active)
        }
        var headers = HTTPHeaders()
        headers.add("Location", "/api/webhooks/\(created.webhook.id)")
        headers.add("Cache-Control", "no-store")
        return .json(201, Representation.webhook(created.webhook, secret: created.secret), headers: headers)
    }

    func getWebhook(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = try context.pathID("webhook_id")
        let webhook = try database.read(tenant: context.tenant.id) { work in
            try webhooks.find(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return .json(200, Representation.webhook(webhook))
    }

    func updateWebhook(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = try context.pathID("webhook_id")
        var body = try BodyReader(request, emptyIsObject: true)
        let changes = WebhookChanges(url: readURL(&body, required: false), events: readEvents(&body, required: false),
                                     description: body.string("description", length: WebhookService.descriptionLength, nullable: true),
                                     active: body.bool("active"))
        try body.finish()
        let webhook = try database.transaction(tenant: context.tenant.id) { work in
            try webhooks.update(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id, changes)
        }
        return .json(200, Representation.webhook(webhook))
    }

    func deleteWebhook(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = try context.pathID("webhook_id")
        try database.transaction(tenant: context.tenant.id) { work in
            try webhooks.delete(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        return HTTPResponse(status: 204)
    }

    func rotateSecret(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = try context.pathID("webhook_id")
        let rotated = try database.transaction(tenant: context.tenant.id) { work in
            try webhooks.rotateSecret(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), id: id)
        }
        var headers = HTTPHeaders()
        headers.add("Cache-Control", "no-store")
        return .json(200, Representation.webhook(rotated.webhook, secret: rotated.secret), headers: headers)
    }

    func listDeliveries(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = try context.pathID("webhook_id")
        let pagination = try Pagination(request, try QueryReader(request))
        let result = try database.read(tenant: context.tenant.id) { work in
            try webhooks.deliveries(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), webhook: id, page: pagination.page)
        }
        return pagination.response(result.items.map { Representation.webhookDelivery($0) }, total: result.total)
    }

    /// 202: a new delivery of the same event is queued (it shows in the log).
    func redeliver(_ request: HTTPRequest, _ context: APIContext) throws -> HTTPResponse {
        let id = try context.pathID("webhook_id")
        let deliveryID = try context.pathID("delivery_id")
        let queued = try database.transaction(tenant: context.tenant.id) { work in
            try webhooks.redeliver(work, tenant: context.tenant.id, caller: try context.requireCaller(in: work), webhook: id, delivery: deliveryID)
        }
        return .json(202, Representation.webhookDelivery(queued))
    }
}
