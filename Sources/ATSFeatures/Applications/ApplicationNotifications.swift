import ATSDomain
import ATSSupport
import ATSPersistence

/// The outbox rows a change queues (delivered later by the notification worker). Each
/// payload carries what the message needs, so delivery never reads the business tables.
enum ApplicationNotifications {
    static func applicationReceived(_ work: UnitOfWork, tenant: Tenant, job: Job, candidate: User, application: Application) throws {
        let common: [(key: String, value: JSONValue)] = [
            ("tenant", .string(tenant.slug)), ("application_id", .int(application.id.rawValue)), ("job_id", .int(job.id.rawValue)),
            ("job_title", .string(job.title)), ("company", .string(job.company)),
            ("candidate_name", .string(candidate.fullName ?? candidate.email)), ("candidate_email", .string(candidate.email)),
        ]
        _ = try work.outbox.enqueue(tenant.id, NewOutboxMessage(kind: "application.received", recipient: candidate.email,
                                                               payload: JSONValue.object(common).text))
        if let creator = try work.users.find(tenant.id, id: job.createdBy), creator.isActive {
            _ = try work.outbox.enqueue(tenant.id, NewOutboxMessage(kind: "application.new_for_job", recipient: creator.email,
                                                                   payload: JSONValue.object(common + [("recruiter_name", .string(creator.fullName ?? creator.email))]).text))
        }
    }

    static func stageChanged(_ work: UnitOfWork, tenant: Tenant, move: StageMove, from: Stage, note: String?) throws {
        guard let email = move.candidateEmail else { return }
        let application = move.application
        let payload = JSONValue.object([
            ("tenant", .string(tenant.slug)), ("application_id", .int(application.id.rawValue)), ("job_id", .int(application.jobID.rawValue)),
            ("job_title", .string(move.jobTitle)), ("company", .string(move.company)),
            ("candidate_name", .string(move.candidateName ?? email)), ("from_stage", .string(from.rawValue)),
            ("to_stage", .string(application.stage.rawValue)),
        ])
        _ = try work.outbox.enqueue(tenant.id, NewOutboxMessage(kind: "application.stage_changed", recipient: email, payload: payload.text))
    }
}
