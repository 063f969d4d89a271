import ATSDomain
import ATSPersistence
import ATSSupport

public struct NewOutboxMessage: Sendable, Equatable {
    public var kind: String
    public var recipient: String
    public var payload: String
    /// The channel that delivers it (`mail`).
    public var channel: String

    public init(kind: String, recipient: String, payload: String, channel: String = "mail") {
        self.kind = kind
        self.recipient = recipient
        self.payload = payload
        self.channel = channel
    }
}

public struct NotificationFilter: Sendable, Equatable {
    public var status: OutboxStatus?
    /// Mail to this address only (a person's export).
    public var recipient: String?

    public init(status: OutboxStatus? = nil, recipient: String? = nil) {
        self.status = status
        self.recipient = recipient
    }
}

public protocol OutboxRepository {
    func enqueue(_ tenant: TenantID, _ message: NewOutboxMessage) throws -> OutboxMessage
    func list(_ tenant: TenantID, filter: NotificationFilter, page: Page) throws -> PageResult<OutboxMessage>
    /// Pending or failed rows due by `now` and not claimed by a delivery in progress,
    /// oldest first, across this tenant.
    func due(_ tenant: TenantID, now: Timestamp, limit: Int) throws -> [OutboxMessage]
    /// Due rows the relay should put on the Redis stream: never queued, or queued before
    /// `requeueBefore` and still not delivered (the stream entry may have been lost).
    func relayable(_ tenant: TenantID, now: Timestamp, requeueBefore: Timestamp, limit: Int) throws -> [OutboxMessage]
    /// Records that the rows are on the stream.
    func markQueued(_ tenant: TenantID, ids: [Int64], at: Timestamp) throws
    /// Claims a due row for delivery until `leaseUntil`: the row, or nil when it is not
    /// due, already delivered or dead, or claimed by another delivery whose lease holds.
    /// The claim is what keeps two processes from sending the same row. A suspended
    /// tenant's rows are never claimed (they wait until it is reactivated).
    func claim(_ tenant: TenantID, id: Int64, now: Timestamp, leaseUntil: Timestamp) throws -> OutboxMessage?
    func markSent(_ tenant: TenantID, id: Int64, at: Timestamp) throws
    /// Records a failed attempt: `failed` with the next try at `retryAt`, or `dead` when
    /// `retryAt` is nil. Both this and `markSent` release the claim and the queued mark.
    func markFailed(_ tenant: TenantID, id: Int64, error: String, retryAt: Timestamp?) throws
    /// How many of the tenant's rows are in each status (for the backlog metric).
    func countByStatus(_ tenant: TenantID) throws -> [OutboxStatus: Int]
    /// Anonymization: mail to `recipient` not yet sent is cancelled, and every row to it
    /// (sent ones too) is readdressed to `replacement` with an empty payload, so the log
    /// keeps that something was sent, not to whom or what.
    func forget(_ tenant: TenantID, recipient: String, replacement: String) throws
}
