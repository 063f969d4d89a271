import ATSConfiguration
import ATSDomain
import ATSSupport
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    @Test func defaultsFollowTheDesign() throws {
        let config = try Configuration.load(environment: [:], cores: 4)
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 8000)
        #expect(config.threads == 4)
        #expect(config.maxBody == 1_048_576)
        #expect(config.maxConnections == 10_000)
        #expect(config.shutdownTimeout == 10)
        #expect(config.logLevel == .info)
        #expect(config.signupRate == 20)
        #expect(config.bodyMinRate == 1024 && config.maxBufferedBodies == 64 << 20)
        #expect(!config.smtpRequireTLS)
    }

    @Test func smtpRequireTLSIsAFlag() throws {
        #expect(try Configuration.load(environment: ["SMTP_REQUIRE_TLS": "1"], cores: 2).smtpRequireTLS)
        #expect(try Configuration.load(environment: ["SMTP_REQUIRE_TLS": "true"], cores: 2).smtpRequireTLS)
        #expect(try !Configuration.load(environment: ["SMTP_REQUIRE_TLS": "0"], cores: 2).smtpRequireTLS)
    }

    @Test func signupRateIsReadAndZeroTurnsItOff() throws {
        #expect(try Configuration.load(environment: ["ATS_SIGNUP_RATE": "5"], cores: 2).signupRate == 5)
        #expect(try Configuration.load(environment: [:], dotEnv: ["ATS_SIGNUP_RATE": "0"], cores: 2).signupRate == 0)
    }

    @Test func rateLimitAndOperatorToken() throws {
        let defaults = try Configuration.load(environment: [:], cores: 2)
        #expect(defaults.rateLimit == 1200 && defaults.operatorToken == nil)
        #expect(try Configuration.load(environment: ["ATS_RATE_LIMIT": "0"], cores: 2).rateLimit == 0)
        let token = String(repeating: "ab", count: 16)
        #expect(try Configuration.load(environment: ["ATS_OPERATOR_TOKEN": token], cores: 2).operatorToken == token)
        #expect(try Configuration.load(environment: ["ATS_OPERATOR_TOKEN": ""], cores: 2).operatorToken == nil, "empty is unset")
        #expect(Configuration.variables.contains { $0.name == "ATS_RATE_LIMIT" } && Configuration.variables.contains { $0.name == "ATS_OPERATOR_TOKEN" })
    }

    @Test func environmentWinsOverDotEnv() throws {
        let config = try Configuration.load(environment: ["ATS_PORT": "9000"], dotEnv: ["ATS_PORT": "7000", "ATS_THREADS": "3"], cores: 2)
        #expect(config.port == 9000)
        #expect(config.threads == 3)
    }

    @Test("bad values are one line naming the variable", arguments: [
        ("ATS_PORT", "eighty"), ("ATS_PORT", "70000"), ("ATS_THREADS", "0"), ("ATS_MAX_BODY", "-1"),
        ("ATS_MAX_CONNECTIONS", "1e3"), ("ATS_SHUTDOWN_TIMEOUT", "nan"), ("ATS_HEADER_TIMEOUT", "0"), ("LOG_LEVEL", "loud"),
        ("ATS_HOST", ""), ("ATS_WORKERS", "99999"), ("ATS_SIGNUP_RATE", "-1"), ("ATS_SIGNUP_RATE", "lots"),
        ("ATS_BODY_MIN_RATE", "-5"), ("ATS_MAX_BUFFERED_BODIES", "0"), ("ATS_MAX_BUFFERED_BODIES", "1000"),
        ("SMTP_REQUIRE_TLS", "maybe"), ("ATS_RATE_LIMIT", "-1"), ("ATS_RATE_LIMIT", "fast"),
        ("ATS_OPERATOR_TOKEN", "short-token"), ("ATS_OPERATOR_TOKEN", String(repeating: "x", count: 31) + " y"),
    ])
    func badValuesNameTheVariable(_ variable: String, _ value: String) {
        #expect {
            _ = try Configuration.load(environment: [variable: value], cores: 2)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.variable == variable && !error.description.contains("\n") && error.description.hasPrefix(variable + ": ")
        }
    }

    @Test("placeholder and low-entropy SECRET_KEYs are refused, naming the variable but not the value", arguments: [
        "change-me-to-the-output-of-openssl-rand-hex-32", "CHANGE-ME-run-openssl-rand-hex-32-and-paste-here",
        String(repeating: "k", count: 40), String(repeating: "abcdefgh", count: 5), "0123456789abcdef0123456789abcdef",
        "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccc", "short-but-random-Zx81",
    ])
    func weakSecretKeysAreRefused(_ key: String) {
        #expect {
            _ = try Configuration.load(environment: ["SECRET_KEY": key], cores: 2)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.variable == "SECRET_KEY" && error.description.hasPrefix("SECRET_KEY: ") && !error.description.contains(key)
                && !error.description.contains("\n")
        }
    }

    @Test("random keys pass: openssl rand -hex 16 and 32, the generated SQLite key, the test suites' keys")
    func randomSecretKeysPass() throws {
        func hex(_ count: Int) -> String {
            (0..<count).map { _ in
                let byte = UInt8.random(in: 0...255)
                return (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }.joined()
        }
        var keys = (0..<200).map { _ in hex(16) } + (0..<200).map { _ in hex(32) }
        keys += ["test-secret-key-that-is-32-bytes-or-more", "benchmark-secret-key-with-at-least-32-bytes", "3f9K2mQ7xV8pL4nR6tW1yZ5bC0dH2jF9"]
        for key in keys {
            #expect(Configuration.secretKeyProblem(key) == nil, "\(key)")
            #expect(try Configuration.load(environment: ["SECRET_KEY": key], cores: 2).secretKey == key)
        }
    }
}

@Suite("DotEnv")
struct DotEnvTests {
    @Test func parsesTheCommonForms() throws {
        let values = try DotEnv.parse("""
        # comment
        ATS_PORT=9000
        export ATS_HOST = 0.0.0.0
        QUOTED="a b # not a comment\\n"
        SINGLE='x\\y'
        TRAILING=value # comment

        """)
        #expect(values["ATS_PORT"] == "9000")
        #expect(values["ATS_HOST"] == "0.0.0.0")
        #expect(values["QUOTED"] == "a b # not a comment\n")
        #expect(values["SINGLE"] == "x\\y")
        #expect(values["TRAILING"] == "value")
    }

    @Test func malformedLinesNameTheLine() {
        #expect(throws: ConfigError(".env line 2", "expected KEY=value")) { try DotEnv.parse("A=1\nnot a pair\n") }
        #expect(throws: ConfigError(".env line 1", "unterminated quoted value")) { try DotEnv.parse("A=\"open\n") }
        #expect(throws: ConfigError.self) { try DotEnv.parse("1A=x") }
    }
}
