import ATSDomain
import ATSFeatures

/// A candidate's profile fields in a request body (API.md, Candidates), validated the
/// same way wherever they are written: `POST|PATCH /api/candidates`, `PATCH /api/auth/me`.
/// Each is nil when absent; `.some(nil)` clears a nullable one.
struct ProfileFields {
    var fullName: String??
    var phone: String??
    var location: String??
    var links: [String]?
    var tags: [String]?
    var source: String??

    /// Reads the fields named in `fields` (a route takes only its own).
    static func read(_ body: inout BodyReader, _ fields: Set<Field>) -> ProfileFields {
        var result = ProfileFields()
        func emptyIsNil(_ value: String??) -> String?? { value.map { $0.flatMap { $0.isEmpty ? nil : $0 } } }
        if fields.contains(.fullName) { result.fullName = emptyIsNil(body.string("full_name", length: 0...200, nullable: true)) }
        if fields.contains(.phone) { result.phone = emptyIsNil(body.string("phone", length: 0...50, nullable: true)) }
        if fields.contains(.location) { result.location = emptyIsNil(body.string("location", length: 0...200, nullable: true)) }
        if fields.contains(.links), let links = body.strings("links", count: 10, length: 1...2000) {
            if links.allSatisfy(JobRoutes.isHTTPURL) { result.links = ProfileFields.unique(links) } else { body.fail("links", "must be http or https URLs") }
        }
        if fields.contains(.tags), let tags = body.strings("tags", count: 50, length: 1...50) {
            result.tags = ProfileFields.unique(tags.map { $0.lowercased() })
        }
        if fields.contains(.source) { result.source = emptyIsNil(body.string("source", length: 0...100, nullable: true)) }
        return result
    }

    enum Field: CaseIterable { case fullName, phone, location, links, tags, source }

    /// Order kept, repeats dropped (`["a", "a"]` is one tag).
    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// The changes these fields make to a user.
    var changes: UserChanges {
        UserChanges(fullName: fullName, phone: phone, location: location, links: links, tags: tags, source: source)
    }

    /// The profile of a new user (absent fields empty).
    var profile: User.Profile {
        User.Profile(phone: phone ?? nil, location: location ?? nil, links: links ?? [], tags: tags ?? [], source: source ?? nil)
    }
}
