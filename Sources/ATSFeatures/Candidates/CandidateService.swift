import ATSDomain
import ATSPersistence
import ATSSupport

/// Mails a person added by staff an invitation to set a password (API.md, Invitations).
/// Runs in the unit of work that created the person, so both commit or neither does.
public protocol InvitationIssuer: Sendable {
    func invite(_ work: UnitOfWork, tenant: Tenant, user: User, by: User) throws
}

/// The rules of the talent pool (API.md, Candidates): staff list, add, edit and merge
/// candidates; a candidate is a user with role candidate, and anything else is not one.
public struct CandidateService: Sendable {
    /// Nil where the server cannot send invitations (`invite: true` is then refused).
    let invitations: (any InvitationIssuer)?
    /// API.md's limits on a profile, which a merge keeps.
    public static let maxLinks = 10
    public static let maxTags = 50

    public init(invitations: (any InvitationIssuer)? = nil) { self.invitations = invitations }

    public func list(_ work: UnitOfWork, tenant: TenantID, caller: User, filter: CandidateFilter, page: Page) throws -> PageResult<User> {
        try Access.require(caller, Access.staff)
        return try work.candidates.list(tenant, filter: filter, page: page)
    }

    /// A new candidate without a password (`email` normalized). An email already in the
    /// tenant is 409, naming the existing user's id when it is a candidate (dedupe),
    /// also when two requests race for it.
    public func create(_ work: UnitOfWork, tenant: Tenant, caller: User, email: String, fullName: String, profile: User.Profile,
                       invite: Bool) throws -> User {
        try Access.require(caller, Access.staff)
        if invite && invitations == nil { throw DomainError.invalid(field: "invite", "invitations are not available on this server") }
        if let existing = try work.users.find(tenant.id, email: email) { throw duplicate(existing) }
        let user: User
        do {
            // A savepoint: on PostgreSQL the race's unique violation would doom the
            // transaction, and the winner must still be read to name it.
            user = try work.savepoint {
                try work.users.create(tenant.id, NewUser(email: email, passwordHash: "", fullName: fullName, role: .candidate, profile: profile))
            }
        } catch StorageError.duplicateEmail {
            guard let existing = try work.users.find(tenant.id, email: email) else { throw StorageError.duplicateEmail }
            throw duplicate(existing)
        }
        if invite, let invitations { try invitations.invite(work, tenant: tenant, user: user, by: caller) }
        try work.audit(tenant.id, .candidateCreated, user.id, by: caller, .created(user.auditFields))
        try work.publish(.resource(ResourceEvent(.candidateCreated, [("candidate", ResourceJSON.candidate(user))])), actor: caller.eventActorID, tenant: tenant.id)
        return user
    }

    private func duplicate(_ existing: User) -> DomainError {
        guard existing.role == .candidate else { return .conflict("This email is already registered.") }
        return .conflictWith("A candidate with this email already exists (existing_id \(existing.id)).", ConflictDetails(existingID: existing.id.rawValue))
    }

    /// The candidate; any other user (or none) is 404.
    public func find(_ work: UnitOfWork, tenant: TenantID, caller: User, id: UserID) throws -> User {
        try Access.require(caller, Access.staff)
        guard let user = try work.users.find(tenant, id: id), user.role == .candidate else { throw DomainError.notFound("No such candidate.") }
        return user
    }

    /// Profile fields only (never role, email or activation: `changes` carries those nil).
    public func update(_ work: UnitOfWork, tenant: TenantID, caller: User, id: UserID, _ changes: UserChanges) throws -> User {
        let old = try find(work, tenant: tenant, caller: caller, id: id)
        var profile = changes
        profile.role = nil
        profile.isActive = nil
        let updated = try work.users.update(tenant, id: id, profile)
        try work.audit(tenant, .candidateUpdated, id, by: caller, .diff(old.auditFields, updated.auditFields))
        try work.publish(.resource(ResourceEvent(.candidateUpdated, [("candidate", ResourceJSON.candidate(updated))])), actor: caller.eventActorID, tenant: tenant)
        return updated
    }

    /// Merges `duplicateID` into `survivorID` in this unit of work: the duplicate's
    /// applications (their events ride along) move over, its links and tags are added
    /// after the survivor's own (repeats dropped; past 10 links or 50 tags the
    /// duplicate's extra ones are dropped), then it is anonymized and deactivated. Both
    /// rows are locked first, so two merges of one pair cannot interleave. Both applied
    /// to one job: 409 naming the jobs, nothing changed. An anonymized one on either
    /// side is 422.
    public func merge(_ work: UnitOfWork, tenant: Tenant, caller: User, survivor survivorID: UserID, duplicate duplicateID: UserID) throws -> User {
        try Access.require(caller, Access.staff)
        let locked = try work.candidates.lock(tenant.id, ids: [survivorID, duplicateID])
        guard let survivor = locked.first(where: { $0.id == survivorID }) else { throw DomainError.notFound("No such candidate.") }
        guard let duplicate = locked.first(where: { $0.id == duplicateID }) else { throw DomainError.notFound("No such candidate (duplicate_id).") }
        guard survivorID != duplicateID else { throw DomainError.invalid(field: "duplicate_id", "a candidate cannot be merged into itself") }
        guard survivor.role == .candidate else { throw DomainError.invalid(field: "duplicate_id", "user \(survivorID) is not a candidate") }
        guard duplicate.role == .candidate else { throw DomainError.invalid(field: "duplicate_id", "is not a candidate") }
        // Re-attaching an anonymized person's records to someone identified would undo the
        // anonymization; this also settles two merges of one pair in opposite directions.
        guard survivor.anonymizedAt == nil else { throw DomainError.invalid(field: "duplicate_id", "user \(survivorID) was anonymized") }
        guard duplicate.anonymizedAt == nil else { throw DomainError.invalid(field: "duplicate_id", "was anonymized") }
        let shared = try work.candidates.sharedJobs(tenant.id, survivorID, duplicateID)
        guard shared.isEmpty else {
            throw DomainError.conflictWith("Both candidates applied to the same job; resolve those applications first.", ConflictDetails(jobIDs: shared))
        }
        _ = try work.candidates.moveApplications(tenant.id, from: duplicateID, to: survivorID)
        try work.documents.move(tenant.id, from: duplicateID, to: survivorID)
        let links = Array(Self.union(survivor.profile.links, duplicate.profile.links).prefix(Self.maxLinks))
        let tags = Array(Self.union(survivor.profile.tags, duplicate.profile.tags).prefix(Self.maxTags))
        var merged = survivor
        if links != survivor.profile.links || tags != survivor.profile.tags {
            merged = try work.users.update(tenant.id, id: survivorID, UserChanges(links: links, tags: tags))
        }
        _ = try PrivacyService().anonymize(work, tenant: tenant.id, candidate: duplicateID, actor: caller)
        var changes = AuditChanges.diff(survivor.auditFields, merged.auditFields)
        changes.set("merged_candidate_id", old: .null, new: .int(duplicateID.rawValue))
        try work.audit(tenant.id, .candidateMerged, survivorID, by: caller, changes)
        try work.publish(.resource(ResourceEvent(.candidateMerged, [("candidate", ResourceJSON.candidate(merged)), ("merged_id", .int(duplicateID.rawValue))])),
                         actor: caller.eventActorID, tenant: tenant.id)
        return merged
    }

    /// `first`, then what `second` adds, each value once.
    static func union(_ first: [String], _ second: [String]) -> [String] {
        var seen = Set(first)
        return first + second.filter { seen.insert($0).inserted }
    }
}
