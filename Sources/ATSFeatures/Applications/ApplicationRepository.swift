import ATSDomain
import ATSPersistence
import ATSSupport

public struct NewApplication: Sendable {
    public var jobID: JobID
    public var candidateID: UserID
    public var coverLetter: String?
    public var resumeURL: String?
    public var source: String?
    public var resumeDocumentID: Int64?

    public init(jobID: JobID, candidateID: UserID, coverLetter: String? = nil, resumeURL: String? = nil, source: String? = nil, resumeDocumentID: Int64? = nil) {
        self.source = source
        self.resumeDocumentID = resumeDocumentID
        self.jobID = jobID
        self.candidateID = candidateID
        self.coverLetter = coverLetter
        self.resumeURL = resumeURL
    }
}

public struct ApplicationFilter: Sendable, Equatable {
    public var jobID: JobID?
    public var candidateID: UserID?
    public var stage: Stage?

    public init(jobID: JobID? = nil, candidateID: UserID? = nil, stage: Stage? = nil) {
        self.jobID = jobID
        self.candidateID = candidateID
        self.stage = stage
    }
}

public protocol ApplicationRepository {
    /// Creates the application in the first stage of its job's pipeline, and its first
    /// event (its actor nil for an API key). Throws `.alreadyApplied` (also when two
    /// requests race).
    func create(_ tenant: TenantID, _ application: NewApplication, actor: UserID?) throws -> Application
    func find(_ tenant: TenantID, id: ApplicationID) throws -> Application?
    /// The application with its job's pipeline (`Pipeline.standard` when the job has
    /// none), read in one statement.
    func findWithPipeline(_ tenant: TenantID, id: ApplicationID) throws -> (Application, Pipeline)?
    /// Newest first.
    func list(_ tenant: TenantID, filter: ApplicationFilter, page: Page) throws -> PageResult<Application>
    /// Moves from `from` to `stage` if the row is still at `expectedVersion` (else
    /// `.staleVersion`; `.notFound` when it does not exist), bumps the version and records the event.
    /// `rejection` is stored with a move to rejected (and cleared by any other move).
    func changeStage(_ tenant: TenantID, id: ApplicationID, from: Stage, to stage: Stage, expectedVersion: Int64, actor: UserID?, note: String?,
                     rejection: Rejection?) throws -> StageMove
    /// Oldest first.
    func events(_ tenant: TenantID, application: ApplicationID) throws -> [ApplicationEvent]
    /// Clears what was written about or by a candidate in their applications (cover
    /// letters, résumé URLs, the notes of stage changes); stages and history stay
    /// (anonymization).
    func removePersonalData(_ tenant: TenantID, candidate: UserID) throws
}

extension ApplicationRepository {
    /// A move that names no rejection reason.
    public func changeStage(_ tenant: TenantID, id: ApplicationID, from: Stage, to stage: Stage, expectedVersion: Int64, actor: UserID?,
                            note: String?) throws -> StageMove {
        try changeStage(tenant, id: id, from: from, to: stage, expectedVersion: expectedVersion, actor: actor, note: note, rejection: nil)
    }
}

/// A stage move as stored, with what its notification names (read in the same statement).
public struct StageMove: Sendable {
    public let application: Application
    public let jobTitle: String
    public let company: String
    /// Nil when the candidate's row is gone.
    public let candidateEmail: String?
    public let candidateName: String?
}
