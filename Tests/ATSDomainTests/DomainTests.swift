import ATSDomain
import ATSSupport
import Testing

@Suite("Stage state machine")
struct StageTests {
    /// The whole table: every (from, to) pair, and whether it is allowed.
    static let allowed: Set<String> = [
        "applied→screening", "screening→interview", "interview→offer", "offer→hired",
        "applied→rejected", "screening→rejected", "interview→rejected", "offer→rejected",
    ]

    @Test("every pair of stages", arguments: Stage.allCases, Stage.allCases)
    func transition(_ from: Stage, _ to: Stage) {
        #expect(from.canMove(to: to) == StageTests.allowed.contains("\(from.rawValue)→\(to.rawValue)"))
    }

    @Test func terminalStagesGoNowhere() {
        #expect(Stage.hired.allowedNext.isEmpty && Stage.rejected.allowedNext.isEmpty)
        #expect(Stage.allCases.filter(\.isTerminal) == [.hired, .rejected])
    }
}

@Suite("Timestamp")
struct TimestampTests {
    @Test func formatsAndParsesRFC3339() throws {
        let t = try #require(Timestamp(rfc3339: "2026-11-24T14:45:17Z"))
        #expect(t.rfc3339 == "2026-11-24T14:45:17Z")
        let fraction = try #require(Timestamp(rfc3339: "2026-11-24T14:45:17.123456Z"))
        #expect(fraction.microseconds - t.microseconds == 123_456)
        #expect(Timestamp(rfc3339: "2026-11-24 15:45:17.123456+01")?.microseconds == fraction.microseconds, "PostgreSQL's output form")
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:00Z")?.microseconds == 0)
        #expect(Timestamp(rfc3339: "2000-02-29T00:00:00Z")?.rfc3339 == "2000-02-29T00:00:00Z")
        for bad in ["", "2026-13-01T00:00:00Z", "2026-11-24T14:45:17", "2026-11-24T14:45:17.Z", "yesterday", "2026-11-24T24:00:00Z"] {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
        let now = Timestamp.now()
        #expect(Timestamp(rfc3339: now.rfc3339) == now)
    }
}

@Suite("Validation")
struct ValidationTests {
    @Test func emails() {
        #expect(Validation.normalizedEmail("  Ann@Example.COM ") == "ann@example.com")
        for bad in ["", "a", "no-at.example", "a@b", "a@@b.io", "a b@c.io", "@c.io", "a@.io", "a@io.", "a@b.io\u{0}"] {
            #expect(Validation.normalizedEmail(bad) == nil, "\(bad)")
        }
    }

    @Test func passwords() {
        #expect(!Validation.isAcceptablePassword("1234567"))
        #expect(Validation.isAcceptablePassword("12345678"))
        #expect(!Validation.isAcceptablePassword(String(repeating: "x", count: 1025)))
    }

    @Test func tenantSlugs() {
        #expect(Tenant.isValidSlug("acme") && Tenant.isValidSlug("a1-b2") && Tenant.isValidSlug("default"))
        for bad in ["a", "-acme", "Acme", "ac me", "acmé", String(repeating: "a", count: 64)] { #expect(!Tenant.isValidSlug(bad), "\(bad)") }
    }
}

@Suite("JSON writing")
struct JSONWritingTests {
    @Test func escapesOnlyWhatMustBe() {
        #expect(JSON.quote("plain text, ünïcödé 😀") == "\"plain text, ünïcödé 😀\"", "no escape: copied as one run")
        #expect(JSON.quote("a\"b\\c\nd\re\tf\u{01}g\u{1F}") == #""a\"b\\c\nd\re\tf\u0001g\u001f""#)
        #expect(JSON.quote("x\u{2028}y\u{2029}z\u{2027}") == "\"x\\u2028y\\u2029z\u{2027}\"", "U+2028/9 escaped, U+2027 (also E2 80 …) kept")
        #expect(JSON.quote("\u{E2}") == "\"\u{E2}\"" && JSON.quote("") == #""""#)
        #expect(JSON.quote("ends with \u{E2}") == "\"ends with \u{E2}\"")
        #expect(JSONValue.array([.int(0), .int(-7), .int(Int64.min), .int(Int64.max), .bool(true), .bool(false), .null]).text
                == "[0,-7,-9223372036854775808,9223372036854775807,true,false,null]")
    }

    @Test func timestampsRoundTripThroughBytes() throws {
        for text in ["2026-11-24T14:45:17Z", "2026-11-24T14:45:17.000001Z", "1969-12-31T23:59:59.999999Z", "0001-01-01T00:00:00Z"] {
            let stamp = try #require(Timestamp(rfc3339: text))
            #expect(stamp.rfc3339 == text)
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBufferPointer { Timestamp(rfc3339: $0) } == stamp)
        }
        #expect(Timestamp(microseconds: 0).rfc3339WithMicroseconds == "1970-01-01T00:00:00.000000Z")
    }
}

@Suite("JSONParser")
struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func parsesDocuments() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null, "x\u00e9\ud83d\ude00\n"], "b": {}} "#)
        #expect(value["a"] == .array([.int(1), .double(-2500), .bool(true), .bool(false), .null, .string("xé😀\n")]))
        #expect(value["b"] == .object([]))
        #expect(try parse("9223372036854775807") == .int(Int64.max))
        #expect(try parse("92233720368547758070") == .double(9.223372036854775808e19), "beyond Int64: a double")
        #expect(try parse(#"{"k":"v"}"#).text == #"{"k":"v"}"#)
    }

    @Test("refuses what is not strict JSON", arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "{a:1}", "'x'", "01", "1.", ".5", "-", "1e", "tru", "nul", "[1 2]",
        "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\u0000\"", "\"a\u{1}b\"", "\"\\x\"",
        "1e400", "-1e400", "{\"a\":1} x", "\"unterminated", "[" + String(repeating: "[", count: 100) + "]",
    ])
    func refuses(_ text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test func nulOnlyWhenAllowed() throws {
        #expect(throws: JSONParseError.self) { try parse(#"{"a":"x\u0000"}"#) }
        #expect(try JSONParser.parse(Array(#"{"a":"x\u0000"}"#.utf8), allowingNUL: true)["a"] == .string("x\u{0}"))
        #expect(throws: JSONParseError.self, "a raw NUL byte is a control character: never JSON") { try JSONParser.parse([0x22, 0x00, 0x22], allowingNUL: true) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func writesEscapes() {
        #expect(JSONValue.string("a\"b\\c\u{1}\u{2028}").text == #""a\"b\\c\u0001\u2028""#)
    }
}

@Suite("Pipeline rules")
struct PipelineRuleTests {
    private let custom = Pipeline(stages: [
        .init(Stage(rawValue: "new")!, name: "New", kind: .applied), .init(Stage(rawValue: "phone")!, name: "Phone screen"),
        .init(Stage(rawValue: "onsite")!, name: "Onsite"), .init(.hired, name: "Hired", kind: .hired), .init(.rejected, name: "Rejected", kind: .rejected),
    ])

    @Test func standardIsPartOne() {
        #expect(Pipeline.standard.allowedNext(from: .applied) == [.screening, .rejected])
        #expect(Pipeline.standard.allowedNext(from: .offer) == [.hired, .rejected])
        #expect(Pipeline.standard.allowedNext(from: .hired).isEmpty && Pipeline.standard.allowedNext(from: .rejected).isEmpty)
        #expect(Pipeline.standard.first == .applied)
    }

    @Test func customStagesSkipAndBack() {
        let phone = Stage(rawValue: "phone")!, new = Stage(rawValue: "new")!, onsite = Stage(rawValue: "onsite")!
        #expect(custom.first == new)
        #expect(custom.allowedNext(from: phone) == [onsite, .rejected])
        let skipping = Pipeline(stages: custom.stages, allowSkip: true)
        #expect(skipping.allowedNext(from: new) == [phone, onsite, .hired, .rejected])
        let back = Pipeline(stages: custom.stages, allowBack: true)
        #expect(back.allowedNext(from: onsite) == [new, phone, .hired, .rejected])
        #expect(!back.canMove(from: .hired, to: onsite), "terminal stays terminal")
        #expect(custom.allowedNext(from: .applied).isEmpty, "a stage the pipeline does not have leads nowhere")
    }

    @Test func stageKeys() {
        #expect(Stage(rawValue: "phone_screen_2") != nil)
        #expect(Stage(rawValue: "Phone") == nil && Stage(rawValue: "") == nil && Stage(rawValue: "_2nd") == nil && Stage(rawValue: "-a") == nil && Stage(rawValue: "2nd-round") != nil)
        #expect(Stage(rawValue: String(repeating: "a", count: 41)) == nil)
    }
}

@Suite("Audit changes: old/new per field, never a secret, free text by length")
struct AuditChangesTests {
    @Test("diff keeps what changed; secrets are dropped whoever builds them; free text is recorded by its length")
    func changes() {
        let old: [(String, JSONValue)] = [("title", .string("A")), ("status", .string("open")), ("description", .string("private words"))]
        let new: [(String, JSONValue)] = [("title", .string("B")), ("status", .string("open")), ("description", .string("other"))]
        let diff = AuditChanges.diff(old, new)
        #expect(diff.json == .object([("title", .object([("old", .string("A")), ("new", .string("B"))])),
                                      ("description", .object([("old", .object([("length", .int(13))])), ("new", .object([("length", .int(5))]))]))]))
        var changes = AuditChanges.created([("name", .string("CI")), ("location", .null)])
        for secret in ["password", "password_hash", "token", "api_key", "Secret", "key_hash"] { changes.set(secret, old: .null, new: .string("s3cr3t")) }
        #expect(changes.json == .object([("name", .object([("old", .null), ("new", .string("CI"))]))]), "nulls left out of a create, no secret kept")
        #expect(AuditChanges.deleted([("title", .string("T"))]).json == .object([("title", .object([("old", .string("T")), ("new", .null)]))]))
        #expect(AuditAction.loginFailed.resourceType == .user && AuditAction.apiKeyCreated.resourceType == .apiKey
                && AuditAction.rejectionReasonUpdated.resourceType == .rejectionReason)
        #expect(AuditAction.allCases.allSatisfy { $0.rawValue.hasPrefix($0.resourceType.rawValue + ".") || $0.rawValue.hasPrefix("auth.") })
    }
}
