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
    }

    @Test func environmentWinsOverDotEnv() throws {
        let config = try Configuration.load(environment: ["ATS_PORT": "9000"], dotEnv: ["ATS_PORT": "7000", "ATS_THREADS": "3"], cores: 2)
        #expect(config.port == 9000)
        #expect(config.threads == 3)
    }

    @Test("bad values are one line naming the variable", arguments: [
        ("ATS_PORT", "eighty"), ("ATS_PORT", "70000"), ("ATS_THREADS", "0"), ("ATS_MAX_BODY", "-1"),
        ("ATS_MAX_CONNECTIONS", "1e3"), ("ATS_SHUTDOWN_TIMEOUT", "nan"), ("ATS_HEADER_TIMEOUT", "0"), ("LOG_LEVEL", "loud"),
        ("ATS_HOST", ""), ("ATS_WORKERS", "99999"),
    ])
    func badValuesNameTheVariable(_ variable: String, _ value: String) {
        #expect {
            _ = try Configuration.load(environment: [variable: value], cores: 2)
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.variable == variable && !error.description.contains("\n") && error.description.hasPrefix(variable + ": ")
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
