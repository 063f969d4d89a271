import ATSDomain
import ATSSupport
import ATSHTTP
import ATSPersistence

/// Reads a JSON object body field by field, collecting every problem so that one 422
/// lists them all. Unknown fields are errors (typos never pass silently).
struct BodyReader {
    private let members: [(key: String, value: JSONValue)]
    private(set) var errors: [FieldError] = []
    private var known: Set<String> = []

    /// 415 unless the body is `application/json`, 400 unless it parses, 422 unless it is
    /// an object. Where every field is optional (`emptyIsObject`), an empty body is `{}`
    /// whatever its `Content-Type` (API.md: `curl -X POST …/apply` sends nothing else).
    init(_ request: HTTPRequest, emptyIsObject: Bool = false) throws(APIError) {
        if emptyIsObject && request.body.isEmpty {
            members = []
            return
        }
        guard BodyReader.isJSON(request.headers["Content-Type"]) else {
            throw .unsupportedMediaType("The request body must be application/json.")
        }
        let value: JSONValue
        do {
            // NUL is valid JSON: a string holding one is refused per field (422), below.
            value = try JSONParser.parse(request.body, allowingNUL: true)
        } catch {
            throw .badRequest("The body is not valid JSON: \(error).")
        }
        guard case .object(let members) = value else { throw .validation([FieldError("", "the body must be a JSON object")]) }
        self.members = members
    }

    init(members: [(key: String, value: JSONValue)]) { self.members = members }

    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";", maxSplits: 1)[0].trimming(" \t").lowercased()
        return media == "application/json"
    }

    private mutating func value(_ name: String) -> JSONValue? {
        known.insert(name)
        return members.first { $0.key == name }?.value
    }

    /// A string of `length` characters (after trimming when `trim`); nil when absent (an
    /// error when `required`) or JSON null (allowed only when `nullable`).
    mutating func string(_ name: String, required: Bool = false, length: ClosedRange<Int>, trim: Bool = true,
                         nullable: Bool = false) -> String?? {
        guard let raw = value(name) else {
            if required { errors.append(FieldError(name, "is required")) }
            return .none
        }
        switch raw {
        case .null:
            if nullable && !required { return .some(nil) }
            errors.append(FieldError(name, required ? "is required" : "may not be null"))
            return .none
        case .string(let text):
            guard !text.unicodeScalars.contains("\u{0}") else {
                errors.append(FieldError(name, "may not contain NUL characters (U+0000)"))
                return .none
            }
            let value = trim ? text.trimming(" \t\r\n") : text
            // Unicode scalars, as OpenAPI's maxLength counts: grapheme clusters would let
            // one "character" of combining marks carry a megabyte. The upper bound applies
            // to the text as sent (what the document's maxLength describes), the lower one
            // to what is left after trimming.
            guard value.unicodeScalars.count >= length.lowerBound, text.unicodeScalars.count <= length.upperBound else {
                errors.append(FieldError(name, "must be \(length.lowerBound) to \(length.upperBound) characters"))
                return .none
            }
            return .some(value)
        default:
            errors.append(FieldError(name, "must be a string"))
            return .none
        }
    }

    /// An array of at most `count` strings, each of `length` characters after trimming;
    /// nil when absent (JSON null is refused: send `[]` to clear).
    mutating func strings(_ name: String, count: Int, length: ClosedRange<Int>) -> [String]? {
        guard let raw = value(name) else { return nil }
        guard case .array(let items) = raw else {
            errors.append(FieldError(name, "must be an array of strings"))
            return nil
        }
        guard items.count <= count else {
            errors.append(FieldError(name, "may hold at most \(count) items"))
            return nil
        }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item, !text.unicodeScalars.contains("\u{0}") else {
                errors.append(FieldError(name, "must be an array of strings (without NUL characters)"))
                return nil
            }
            let value = text.trimming(" \t\r\n")
            guard value.unicodeScalars.count >= length.lowerBound, text.unicodeScalars.count <= length.upperBound else {
                errors.append(FieldError(name, "items must be \(length.lowerBound) to \(length.upperBound) characters"))
                return nil
            }
            strings.append(value)
        }
        return strings
    }

    /// A positive id (JSON integer); nil when absent (an error when `required`) or null
    /// (allowed only when not required).
    mutating func id(_ name: String, required: Bool) -> Int64? {
        guard let raw = value(name) else {
            if required { errors.append(FieldError(name, "is required")) }
            return nil
        }
        switch raw {
        case .null where !required: return nil
        case .int(let n) where n > 0: return n
        default:
            errors.append(FieldError(name, "must be a positive id"))
            return nil
        }
    }

    mutating func bool(_ name: String) -> Bool? {
        guard let raw = value(name) else { return nil }
        guard case .bool(let b) = raw else {
            errors.append(FieldError(name, "must be true or false"))
            return nil
        }
        return b
    }

    /// One of `T`'s raw values.
    mutating func choice<T: RawRepresentable & CaseIterable & Equatable>(_ name: String, _ type: T.Type, required: Bool = false) -> T? where T.RawValue == String {
        guard let raw = value(name) else {
            if required { errors.append(FieldError(name, "is required")) }
            return nil
        }
        guard case .string(let text) = raw, let parsed = T(rawValue: text), T.allCases.contains(parsed) else {
            errors.append(FieldError(name, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        return parsed
    }

    /// A whole number in `range`; nil when absent, `.some(nil)` for JSON null when `nullable`.
    mutating func integer(_ name: String, range: ClosedRange<Int>, nullable: Bool = false) -> Int?? {
        guard let raw = value(name) else { return .none }
        switch raw {
        case .null where nullable: return .some(nil)
        case .int(let n):
            guard n >= Int64(range.lowerBound), n <= Int64(range.upperBound) else {
                errors.append(FieldError(name, "must be between \(range.lowerBound) and \(range.upperBound)\(nullable ? ", or null" : "")"))
                return .none
            }
            return .some(Int(n))
        default:
            errors.append(FieldError(name, nullable ? "must be a whole number or null" : "must be a whole number"))
            return .none
        }
    }

    /// A nested object, read field by field by `read` with a reader of its own; its
    /// problems (unknown fields included) are this body's, named `name.field`. nil when
    /// absent or not an object (an error then).
    mutating func object<T>(_ name: String, _ read: (inout BodyReader) -> T) -> T? {
        guard let raw = value(name) else { return nil }
        guard case .object(let members) = raw else {
            errors.append(FieldError(name, "must be an object"))
            return nil
        }
        var nested = BodyReader(members: members)
        let result = read(&nested)
        errors += nested.problems.map { FieldError("\(name).\($0.field)", $0.message) }
        return result
    }

    mutating func fail(_ name: String, _ message: String) { errors.append(FieldError(name, message)) }

    /// A stage key (`[a-z0-9][a-z0-9_-]{0,39}`); whether the job's pipeline has it is
    /// the service's question (409), not a validation one.
    mutating func stage(_ name: String, required: Bool = false) -> Stage? {
        guard let raw = value(name) else {
            if required { errors.append(FieldError(name, "is required")) }
            return nil
        }
        guard case .string(let text) = raw, let stage = Stage(rawValue: text) else {
            errors.append(FieldError(name, "must be a stage key ([a-z0-9][a-z0-9_-]{0,39})"))
            return nil
        }
        return stage
    }

    /// The member as sent (marked known), for shapes read by the caller: nil when absent.
    mutating func raw(_ name: String) -> JSONValue? { value(name) }

    /// An array of objects, each read by `read` with a reader of its own; problems are
    /// this body's, named `name[i].field`. nil when absent or not an array of objects.
    mutating func objects<T>(_ name: String, required: Bool = false, _ read: (inout BodyReader) -> T) -> [T]? {
        guard let raw = value(name) else {
            if required { errors.append(FieldError(name, "is required")) }
            return nil
        }
        guard case .array(let items) = raw else {
            errors.append(FieldError(name, "must be an array of objects"))
            return nil
        }
        var result: [T] = []
        for (i, item) in items.enumerated() {
            guard case .object(let members) = item else {
                errors.append(FieldError("\(name)[\(i)]", "must be an object"))
                return nil
            }
            var nested = BodyReader(members: members)
            result.append(read(&nested))
            errors += nested.problems.map { FieldError("\(name)[\(i)].\($0.field)", $0.message) }
        }
        return result
    }

    /// Every problem so far, unknown fields included.
    var problems: [FieldError] {
        var all = errors
        for member in members where !known.contains(member.key) { all.append(FieldError(member.key, "is not a known field")) }
        return all
    }
    /// The raw value of `name` (nil when absent), for shapes the typed readers do not cover.
    mutating func json(_ name: String) -> JSONValue? { value(name) }

    /// Throws the 422 when any field was wrong or unknown.
    func finish() throws(APIError) {
        let all = problems
        if !all.isEmpty { throw .validation(all) }
    }
}

/// Query parameters with typed, validated access. A malformed query string is 400; a
/// value that is not of the parameter's type or out of its range is 422 (API.md's
/// pagination: `limit=abc` is 422 like `limit=0`).
struct QueryReader {
    private let items: [(name: String, value: String)]

    /// 400 for a malformed escape, text that is not UTF-8, or a NUL.
    init(_ request: HTTPRequest) throws(APIError) {
        guard let items = request.queryItems else { throw .badRequest("The query string is malformed.") }
        self.items = items
    }

    /// The last value given for `name`, trimmed; nil when absent. An empty value is kept.
    private func given(_ name: String) -> String? {
        items.last { $0.name == name }.map { $0.value.trimming(" ") }
    }

    /// A free-text filter: absent or empty means no filter.
    func string(_ name: String) -> String? {
        given(name).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Every value given for a repeatable parameter (`?tag=a&tag=b`), trimmed, in order;
    /// empty ones are no filter.
    func strings(_ name: String) -> [String] {
        items.filter { $0.name == name }.map { $0.value.trimming(" ") }.filter { !$0.isEmpty }
    }

    func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = given(name) else { return value }
        let digits = text.hasPrefix("-") ? text.utf8.dropFirst() : text.utf8[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { throw .validation([FieldError(name, "must be a whole number")]) }
        guard text.utf8.count <= 18, let n = Int(text), range.contains(n) else {
            throw .validation([FieldError(name, "must be between \(range.lowerBound) and \(range.upperBound)")])
        }
        return n
    }

    func id(_ name: String) throws(APIError) -> Int64? {
        guard let text = given(name) else { return nil }
        guard let id = PathID.parse(text) else { throw .validation([FieldError(name, "must be a positive id")]) }
        return id
    }

    func choice<T: RawRepresentable & CaseIterable & Equatable>(_ name: String, _ type: T.Type) throws(APIError) -> T? where T.RawValue == String {
        guard let text = given(name) else { return nil }
        guard let value = T(rawValue: text), T.allCases.contains(value) else {
            throw .validation([FieldError(name, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")])
        }
        return value
    }

    /// An RFC 3339 date-time (`from`, `to` filters).
    func timestamp(_ name: String) throws(APIError) -> Timestamp? {
        guard let text = string(name) else { return nil }
        guard let time = Timestamp(rfc3339: text) else { throw .validation([FieldError(name, "must be an RFC 3339 date-time")]) }
        return time
    }

    /// A stage key filter (any key: jobs may have their own stages).
    func stage(_ name: String) throws(APIError) -> Stage? {
        guard let text = given(name) else { return nil }
        guard let stage = Stage(rawValue: text) else { throw .validation([FieldError(name, "must be a stage key ([a-z0-9][a-z0-9_-]{0,39})")]) }
        return stage
    }

    /// A keyset cursor (`Pagination`): empty starts; anything the API did not write is 422.
    func cursor(_ name: String) throws(APIError) -> PageCursor? {
        guard let text = given(name) else { return nil }
        guard let cursor = Pagination.cursor(text) else { throw .validation([FieldError(name, "is not a cursor from a Link header")]) }
        return cursor
    }

    /// Every parameter except the paging ones (to build `Link` URLs).
    var nonPaging: [(name: String, value: String)] { items.filter { $0.name != "limit" && $0.name != "offset" } }
}

/// Path ids: positive 64-bit integers in plain decimal. Anything else (`abc`, `-1`,
/// `1e3`, 23 digits) is simply not an id, so the resource is 404 like any missing one.
enum PathID {
    static func parse(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 19, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int64(text), n > 0 else { return nil }
        return n
    }

    static func from(_ context: RequestContext, _ name: String) throws(APIError) -> Int64 {
        guard let text = context.parameters[name], let id = parse(text) else { throw .notFound("No such resource.") }
        return id
    }
}
