import ATSRedis
import ATSDomain
import ATSSupport

/// The Redis side of the queue: one stream of outbox references, read by one consumer
/// group. An entry carries only which row to deliver (tenant, slug, outbox id); the row
/// in the database stays the record, so losing the stream loses no message.
public struct OutboxStream: Sendable {
    public var stream = "ats:outbox"
    public var group = "ats-workers"
    /// Set once per Redis data set: when it is missing, Redis lost its data (restarted
    /// without persistence) and the relay queues every undelivered row again.
    public var epochKey = "ats:outbox:epoch"
    /// One relay at a time per deployment: `SET NX PX`, renewed while it runs.
    public var relayLockKey = "ats:outbox:relay-lock"

    public init() {}

    /// What an entry names.
    public struct Entry: Equatable, Sendable {
        public var streamID: String
        public var tenant: TenantID
        public var slug: String
        public var outboxID: Int64
    }

    func fields(tenant: Tenant, outboxID: Int64) -> [String] {
        ["tenant", String(tenant.id.rawValue), "slug", tenant.slug, "id", String(outboxID)]
    }

    /// `[id, [field, value, …]]` as XREADGROUP and XAUTOCLAIM return it; nil for an
    /// entry we did not write (it is acknowledged and dropped). Anyone who can write to
    /// Redis can add entries, so nothing in one is trusted: the tenant and outbox ids must
    /// be positive integers and the slug a tenant slug (`[a-z0-9][a-z0-9-]{1,62}`), since
    /// it becomes part of a file name (`<slug>-<id>.eml`) — `../../etc/x` never does.
    static func entry(_ value: RESPValue) -> (streamID: String, entry: Entry?)? {
        guard let parts = value.items, parts.count == 2, let id = parts[0].string else { return nil }
        guard let list = parts[1].items else { return (id, nil) }
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < list.count {
            if let key = list[index].string, let value = list[index + 1].string { fields[key] = value }
            index += 2
        }
        guard let tenant = fields["tenant"].flatMap(Int64.init), tenant > 0, let slug = fields["slug"], Tenant.isValidSlug(slug),
              let outbox = fields["id"].flatMap(Int64.init), outbox > 0 else {
            return (id, nil)
        }
        return (id, Entry(streamID: id, tenant: TenantID(tenant), slug: slug, outboxID: outbox))
    }
}
