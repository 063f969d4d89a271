import ATSSupport

/// The JSON shapes of API.md's resources, in the domain so that both the API's responses
/// and the events that carry resources "as they were" (webhook payloads) use the same one.
public enum ResourceJSON {
    // The shapes every list repeats per row are written straight to bytes (`write`);
    // their `JSONValue` forms (events, webhook payloads, exports) are read back from
    // those bytes, so each shape is defined once.

    public static func user(_ u: User) -> JSONValue { JSONWriter.value { write(user: u, to: &$0) } }

    public static func write(user u: User, to w: inout JSONWriter) {
        w.object { o in userFields(u, &o) }
    }

    private static func userFields(_ u: User, _ o: inout JSONWriter) {
        o.field("id", u.id.rawValue); o.field("email", u.email); o.field("full_name", u.fullName)
        o.field("role", u.role.rawValue); o.field("is_active", u.isActive); o.field("created_at", u.createdAt)
    }

    /// `Candidate` (API.md, Candidates): `User` plus the profile.
    public static func candidate(_ u: User) -> JSONValue { JSONWriter.value { write(candidate: u, to: &$0) } }

    public static func write(candidate u: User, to w: inout JSONWriter) {
        w.object { o in
            userFields(u, &o)
            o.field("phone", u.profile.phone); o.field("location", u.profile.location)
            o.field("links") { $0.array(u.profile.links) { $0.string($1) } }
            o.field("tags") { $0.array(u.profile.tags) { $0.string($1) } }
            o.field("source", u.profile.source); o.field("has_password", u.hasPassword); o.field("updated_at", u.updatedAt)
        }
    }

    public static func job(_ j: Job) -> JSONValue { JSONWriter.value { write(job: j, to: &$0) } }

    public static func write(job j: Job, to w: inout JSONWriter) {
        w.object { o in
            o.field("id", j.id.rawValue); o.field("title", j.title); o.field("company", j.company)
            o.field("description", j.description); o.field("location", j.location)
            o.field("status", j.status.rawValue); o.field("created_by", j.createdBy.rawValue)
            o.field("created_at", j.createdAt); o.field("updated_at", j.updatedAt)
        }
    }

    public static func application(_ a: Application) -> JSONValue { JSONWriter.value { write(application: a, to: &$0) } }

    public static func write(application a: Application, to w: inout JSONWriter) {
        w.object { o in
            o.field("id", a.id.rawValue); o.field("job_id", a.jobID.rawValue); o.field("candidate_id", a.candidateID.rawValue)
            o.field("stage", a.stage.rawValue); o.field("cover_letter", a.coverLetter); o.field("resume_url", a.resumeURL)
            o.field("created_at", a.createdAt); o.field("updated_at", a.updatedAt); o.field("source", a.source)
            if let rejection = a.rejection { o.field("rejection") { write(rejection: rejection, to: &$0) } } else { o.null("rejection") }
            o.field("resume_document_id", a.resumeDocumentID)
        }
    }

    /// `{reason_id, reason, note}` (API.md, Rejection reasons).
    public static func rejection(_ r: Rejection) -> JSONValue { JSONWriter.value { write(rejection: r, to: &$0) } }

    public static func write(rejection r: Rejection, to w: inout JSONWriter) {
        w.object { o in o.field("reason_id", r.reasonID); o.field("reason", r.reason); o.field("note", r.note) }
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
