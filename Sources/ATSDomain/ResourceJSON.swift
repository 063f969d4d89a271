import ATSSupport

/// The JSON shapes of API.md's resources, in the domain so that both the API's responses
/// and the events that carry resources "as they were" (webhook payloads) use the same one.
public enum ResourceJSON {
    public static func user(_ u: User) -> JSONValue {
        .object([
            ("id", .int(u.id.rawValue)), ("email", .string(u.email)), ("full_name", u.fullName.map(JSONValue.string) ?? .null),
            ("role", .string(u.role.rawValue)), ("is_active", .bool(u.isActive)), ("created_at", .string(u.createdAt.rfc3339)),
        ])
    }

    /// `Candidate` (API.md, Candidates): `User` plus the profile.
    public static func candidate(_ u: User) -> JSONValue {
        guard case .object(var fields) = user(u) else { return user(u) }
        fields += [
            ("phone", u.profile.phone.map(JSONValue.string) ?? .null), ("location", u.profile.location.map(JSONValue.string) ?? .null),
            ("links", .array(u.profile.links.map(JSONValue.string))), ("tags", .array(u.profile.tags.map(JSONValue.string))),
            ("source", u.profile.source.map(JSONValue.string) ?? .null), ("has_password", .bool(u.hasPassword)),
            ("updated_at", .string(u.updatedAt.rfc3339)),
        ]
        return .object(fields)
    }

    public static func job(_ j: Job) -> JSONValue {
        .object([
            ("id", .int(j.id.rawValue)), ("title", .string(j.title)), ("company", .string(j.company)),
            ("description", j.description.map(JSONValue.string) ?? .null), ("location", j.location.map(JSONValue.string) ?? .null),
            ("status", .string(j.status.rawValue)), ("created_by", .int(j.createdBy.rawValue)),
            ("created_at", .string(j.createdAt.rfc3339)), ("updated_at", .string(j.updatedAt.rfc3339)),
        ])
    }

    public static func application(_ a: Application) -> JSONValue {
        .object([
            ("id", .int(a.id.rawValue)), ("job_id", .int(a.jobID.rawValue)), ("candidate_id", .int(a.candidateID.rawValue)),
            ("stage", .string(a.stage.rawValue)), ("cover_letter", a.coverLetter.map(JSONValue.string) ?? .null),
            ("resume_url", a.resumeURL.map(JSONValue.string) ?? .null),
            ("created_at", .string(a.createdAt.rfc3339)), ("updated_at", .string(a.updatedAt.rfc3339)),
            ("source", a.source.map(JSONValue.string) ?? .null), ("rejection", a.rejection.map(rejection) ?? .null),
            ("resume_document_id", a.resumeDocumentID.map { .int($0) } ?? .null),
        ])
    }

    /// `{reason_id, reason, note}` (API.md, Rejection reasons).
    public static func rejection(_ r: Rejection) -> JSONValue {
        .object([("reason_id", r.reasonID.map(JSONValue.int) ?? .null), ("reason", r.reason.map(JSONValue.string) ?? .null),
                 ("note", r.note.map(JSONValue.string) ?? .null)])
    }

    /// `Interview`; the candidate's view leaves out `interviewer_ids`.
    public static func interview(_ i: Interview, showsInterviewers: Bool) -> JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            ("id", .int(i.id.rawValue)), ("application_id", .int(i.applicationID.rawValue)), ("title", .string(i.title)),
            ("starts_at", .string(i.startsAt.rfc3339)), ("ends_at", .string(i.endsAt.rfc3339)), ("location", i.location.map(JSONValue.string) ?? .null),
            ("video_url", i.videoURL.map(JSONValue.string) ?? .null),
        ]
        if showsInterviewers { fields.append(("interviewer_ids", .array(i.interviewerIDs.map { .int($0.rawValue) }))) }
        fields += [("status", .string(i.status.rawValue)), ("created_by", i.createdBy.map { .int($0.rawValue) } ?? .null),
                   ("created_at", .string(i.createdAt.rfc3339)), ("updated_at", .string(i.updatedAt.rfc3339))]
        return .object(fields)
    }

    /// `Scorecard`.
    public static func scorecard(_ s: Scorecard) -> JSONValue {
        .object([
            ("id", .int(s.id.rawValue)), ("interview_id", .int(s.interviewID.rawValue)), ("application_id", .int(s.applicationID.rawValue)),
            ("author_id", .int(s.authorID.rawValue)), ("recommendation", .string(s.recommendation.rawValue)),
            ("ratings", .array(s.ratings.map { .object([("attribute", .string($0.attribute)), ("rating", .int($0.rating))]) })),
            ("notes", s.notes.map(JSONValue.string) ?? .null), ("created_at", .string(s.createdAt.rfc3339)), ("updated_at", .string(s.updatedAt.rfc3339)),
        ])
    }
}
