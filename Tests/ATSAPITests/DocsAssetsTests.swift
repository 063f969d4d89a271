import ATSAPI
import ATSTestSupport
import Testing

@Suite("/docs with local Swagger UI files (ATS_DOCS_ASSETS) or the CDN")
struct DocsAssetsTests {
    @Test func localAssetsAreServedAndThePageUsesThem() throws {
        let css = Array("body{}".utf8), js = Array("window.SwaggerUIBundle=function(){}".utf8)
        let env = try APITestEnvironment(.sqlite) {
            $0.docsAssets = DocsAssets(files: ["swagger-ui.css": css, "swagger-ui-bundle.js": js])
        }
        let page = try env.call("GET", "/docs")
        #expect(page.status == 200 && page.text.contains("src=\"/docs/assets/swagger-ui-bundle.js\"") && !page.text.contains("cdn.jsdelivr.net"))
        #expect(page.text.contains("integrity=\"sha384-"), "the local files are checked like the CDN's")
        let script = try env.call("GET", "/docs/assets/swagger-ui-bundle.js")
        #expect(script.status == 200 && script.wire.body == js && script.header("Content-Type") == "text/javascript; charset=utf-8")
        #expect(try env.call("GET", "/docs/assets/swagger-ui.css").header("Content-Type") == "text/css; charset=utf-8")
        for path in ["/docs/assets/index.html", "/docs/assets/..%2F..%2Fetc%2Fpasswd", "/docs/assets/"] {
            #expect(try env.call("GET", path).status == 404, "\(path)")
        }
    }

    @Test func withoutThemTheCDN() throws {
        let env = try APITestEnvironment(.sqlite)
        let page = try env.call("GET", "/docs")
        #expect(page.status == 200 && page.text.contains("https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.31.0/swagger-ui-bundle.js"))
        let asset = try env.call("GET", "/docs/assets/swagger-ui.css")
        #expect(asset.status == 404 && asset.text.contains("ATS_DOCS_ASSETS"))
    }
}
