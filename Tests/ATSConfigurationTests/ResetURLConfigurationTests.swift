import ATSConfiguration
import ATSSupport
import Testing

@Suite("ATS_RESET_URL")
struct ResetURLConfigurationTests {
    @Test("an http(s) URL with {token} is taken; anything else names the variable")
    func resetURL() throws {
        #expect(try Configuration.load(environment: [:], cores: 2).resetURL == nil)
        let url = "https://app.example.com/reset?token={token}"
        #expect(try Configuration.load(environment: ["ATS_RESET_URL": url], cores: 2).resetURL == url)
        for bad in ["https://app.example.com/reset", "ftp://x.io/{token}", "https://x.io/a b?t={token}", "javascript:{token}"] {
            #expect(throws: ConfigError.self) { try Configuration.load(environment: ["ATS_RESET_URL": bad], cores: 2) }
        }
    }
}
