import ATSDomain
import ATSPersistence

/// The GDPR rules (API.md, Privacy): what anonymizing a person removes and what it keeps
/// (applications, stages, events, ratings stay for reports).
public struct PrivacyService: Sendable {
    public init() {}

    /// Anonymizes candidate `id` in this unit of work; idempotent (an anonymized person
    /// is returned as is). Used by the admin route, self-erasure, merge and retention.
    public func anonymize(_ work: UnitOfWork, tenant: TenantID, candidate id: UserID) throws -> User {
        guard let person = try work.users.find(tenant, id: id) else { throw DomainError.notFound("No such candidate.") }
        guard person.role == .candidate else { throw DomainError.notFound("No such candidate.") }
        if person.anonymizedAt != nil { return person }
        let anonymized = try work.users.anonymize(tenant, id: id)
        try work.applications.removePersonalData(tenant, candidate: id)
        try work.outbox.forget(tenant, recipient: person.email, replacement: anonymized.email)
        return anonymized
    }
}
