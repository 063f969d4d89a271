import ATSDomain
import ATSPersistence
import ATSSupport

/// A tenant's rejection reasons.
public protocol RejectionReasonRepository {
    /// All of them, archived included, oldest first.
    func list(_ tenant: TenantID) throws -> [RejectionReason]
    func find(_ tenant: TenantID, id: Int64) throws -> RejectionReason?
    func create(_ tenant: TenantID, name: String, kind: RejectionReason.Kind) throws -> RejectionReason
    /// Stores `reason`'s name and archived flag.
    func update(_ tenant: TenantID, _ reason: RejectionReason) throws
}

/// `RejectionReasonRepository` in portable SQL (both engines).
public struct SQLRejectionReasonRepository: RejectionReasonRepository {
    let tx: SQLTransaction

    public init(_ tx: SQLTransaction) { self.tx = tx }

    private static func reason(_ row: SQLRow) throws(SQLError) -> RejectionReason {
        guard let kind = RejectionReason.Kind(rawValue: try row.text(2)) else { throw .decoding("unknown rejection reason kind") }
        return RejectionReason(id: try row.int(0), name: try row.text(1), kind: kind, archived: try row.bool(3))
    }

    public func list(_ tenant: TenantID) throws -> [RejectionReason] {
        try tx.rows("SELECT id, name, kind, archived FROM rejection_reasons WHERE tenant_id = $1 ORDER BY id", [.int(tenant.rawValue)], decode: Self.reason)
    }

    public func find(_ tenant: TenantID, id: Int64) throws -> RejectionReason? {
        try tx.rows("SELECT id, name, kind, archived FROM rejection_reasons WHERE tenant_id = $1 AND id = $2", [.int(tenant.rawValue), .int(id)],
                    decode: Self.reason).first
    }

    public func create(_ tenant: TenantID, name: String, kind: RejectionReason.Kind) throws -> RejectionReason {
        let id = try tx.run { () throws(SQLError) -> Int64 in
            try tx.insert(into: "rejection_reasons", [("tenant_id", .int(tenant.rawValue)), ("name", .text(name)), ("kind", .text(kind.rawValue)),
                                                      ("archived", .bool(false)), ("created_at", .timestamp(tx.now()))])
        }
        return RejectionReason(id: id, name: name, kind: kind, archived: false)
    }

    public func update(_ tenant: TenantID, _ reason: RejectionReason) throws {
        try tx.run { () throws(SQLError) in
            _ = try tx.connection.execute("UPDATE rejection_reasons SET name = $3, archived = $4 WHERE tenant_id = $1 AND id = $2",
                                      [.int(tenant.rawValue), .int(reason.id), .text(reason.name), .bool(reason.archived)])
        }
    }
}
