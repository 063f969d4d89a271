import ATSDomain
import ATSPersistence

/// Rejection reasons (API.md): staff read them, admins add, rename and archive them.
public struct RejectionReasonService: Sendable {
    public init() {}

    public static let nameLength = 1...100

    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User) throws -> [RejectionReason] {
        try Access.require(caller, Access.staff)
        return try work.rejectionReasons.list(tenant)
    }

    public func create(_ work: UnitOfWork, tenant: TenantID, caller: User, name: String, kind: RejectionReason.Kind) throws -> RejectionReason {
        try Access.require(caller, [.admin])
        let reason = try work.rejectionReasons.create(tenant, name: name, kind: kind)
        try work.audit(tenant, .rejectionReasonCreated, reason.id, by: caller, .created(reason.auditFields))
        return reason
    }

    public func update(_ work: UnitOfWork, tenant: TenantID, caller: User, id: Int64, name: String?, archived: Bool?) throws -> RejectionReason {
        try Access.require(caller, [.admin])
        guard let old = try work.rejectionReasons.find(tenant, id: id) else { throw DomainError.notFound("No such rejection reason.") }
        var reason = old
        if let name { reason.name = name }
        if let archived { reason.archived = archived }
        try work.rejectionReasons.update(tenant, reason)
        try work.audit(tenant, .rejectionReasonUpdated, id, by: caller, .diff(old.auditFields, reason.auditFields))
        return reason
    }

    /// What a new tenant starts with.
    public func createDefaults(_ work: UnitOfWork, tenant: TenantID) throws {
        for reason in RejectionReason.defaults { _ = try work.rejectionReasons.create(tenant, name: reason.name, kind: reason.kind) }
    }
}
