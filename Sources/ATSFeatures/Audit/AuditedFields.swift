import ATSDomain
import ATSSupport

// What the audit log's `changes` compare for each kind of resource: the fields a client
// sets, as the API names them. Free text (cover letters, note bodies, scorecard notes,
// job descriptions) is not copied into the log: it is long, often personal, and
// anonymization must be able to remove it, which the append-only log cannot do: such
// fields are compared here and recorded by length only (`AuditChanges.freeTextFields`).

typealias AuditedFields = [(String, JSONValue)]

private func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
private func reference<T>(_ value: ID<T>?) -> JSONValue { value.map { .int($0.rawValue) } ?? .null }

extension Job {
    var auditFields: AuditedFields {
        [("title", .string(title)), ("company", .string(company)), ("description", text(description)), ("location", text(location)),
         ("status", .string(status.rawValue)), ("created_by", reference(createdBy))]
    }
}

extension Application {
    var auditFields: AuditedFields {
        [("job_id", reference(jobID)), ("candidate_id", reference(candidateID)), ("stage", .string(stage.rawValue)), ("source", text(source)),
         ("rejection_reason_id", rejection?.reasonID.map(JSONValue.int) ?? .null), ("rejection_reason", text(rejection?.reason))]
    }
}

extension User {
    /// A staff account, or a candidate with their profile.
    var auditFields: AuditedFields {
        var fields: AuditedFields = [("email", .string(email)), ("full_name", text(fullName)), ("role", .string(role.rawValue)), ("is_active", .bool(isActive))]
        if role == .candidate {
            fields += [("phone", text(profile.phone)), ("location", text(profile.location)), ("links", .array(profile.links.map(JSONValue.string))),
                       ("tags", .array(profile.tags.map(JSONValue.string))), ("source", text(profile.source))]
        }
        return fields
    }
}

extension Note {
    var auditFields: AuditedFields { [("application_id", reference(applicationID)), ("author_id", reference(authorID)), ("body", text(body))] }
}

extension Document {
    /// Metadata only: the bytes are the candidate's, and the log cannot be anonymized.
    var auditFields: AuditedFields {
        [("candidate_id", reference(candidateID)), ("kind", .string(kind.rawValue)), ("filename", .string(filename)),
         ("content_type", .string(contentType)), ("size", .int(size)), ("sha256", .string(sha256))]
    }
}

extension Interview {
    var auditFields: AuditedFields {
        [("application_id", reference(applicationID)), ("title", .string(title)), ("starts_at", .string(startsAt.rfc3339)), ("ends_at", .string(endsAt.rfc3339)),
         ("location", text(location)), ("video_url", text(videoURL)), ("interviewer_ids", .array(interviewerIDs.map { .int($0.rawValue) })),
         ("status", .string(status.rawValue))]
    }
}

extension Scorecard {
    var auditFields: AuditedFields {
        [("interview_id", reference(interviewID)), ("application_id", reference(applicationID)), ("recommendation", .string(recommendation.rawValue)),
         ("ratings", .array(ratings.map { .object([("attribute", .string($0.attribute)), ("rating", .int($0.rating))]) })), ("notes", text(notes))]
    }
}

extension APIKey {
    /// Never the key: its name, role and public prefix (as the list shows them).
    var auditFields: AuditedFields { [("name", .string(name)), ("role", .string(role.rawValue)), ("prefix", .string(prefix))] }
}

extension Webhook {
    /// Never a secret: what the webhook's `GET` shows a client may set.
    var auditFields: AuditedFields {
        [("url", .string(url)), ("events", .array(events.map(JSONValue.string))), ("description", text(description)), ("active", .bool(active))]
    }
}

extension Pipeline {
    var auditFields: AuditedFields {
        [("stages", .array(path.map { .object([("key", .string($0.stage.rawValue)), ("name", .string($0.name)), ("kind", .string($0.kind.rawValue))]) })),
         ("allow_skip", .bool(allowSkip)), ("allow_back", .bool(allowBack))]
    }
}

extension RejectionReason {
    var auditFields: AuditedFields { [("name", .string(name)), ("kind", .string(kind.rawValue)), ("archived", .bool(archived))] }
}

extension Tenant {
    /// The name and each setting, flat (`settings.reply_to`).
    var auditFields: AuditedFields {
        guard case .object(let settings) = settings.json else { return [("name", .string(name))] }
        return [("name", .string(name))] + settings.map { ("settings." + $0.key, $0.value) }
    }
}
