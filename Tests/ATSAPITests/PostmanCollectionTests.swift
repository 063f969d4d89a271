import ATSAPI
import ATSDomain
import ATSSupport
import Testing

@Suite("Postman collection")
struct PostmanCollectionTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    private func items(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items)? = value { return items } else { return [] }
    }

    @Test("a Collection v2.1: info, collection-level bearer auth, the variables")
    func shape() throws {
        let collection = try parse(PostmanCollection.json)
        #expect(collection["info"]?["schema"] == .string("https://schema.getpostman.com/json/collection/v2.1.0/collection.json"))
        #expect(collection["info"]?["name"]?.string?.isEmpty == false)
        #expect(collection["auth"]?["type"] == .string("bearer"))
        #expect(items(collection["auth"]?["bearer"]).contains { $0["key"] == .string("token") && $0["value"] == .string("{{token}}") })
        let variables = Set(items(collection["variable"]).compactMap { $0["key"]?.string })
        #expect(variables.isSuperset(of: ["baseUrl", "token"]))
    }

    @Test("one request per OpenAPI operation, in a folder per tag")
    func sameOperationsAsOpenAPI() throws {
        let document = try parse(OpenAPIDocument.json)
        var operations: [String: String] = [:]  // "METHOD path" → tag
        if case .object(let paths)? = document["paths"] {
            for (path, item) in paths {
                guard case .object(let methods) = item else { continue }
                for (method, operation) in methods { operations["\(method.uppercased()) \(path)"] = operation["tags"].map(items)?.first?.string }
            }
        }
        var requests: [String] = []
        for folder in items(try parse(PostmanCollection.json)["item"]) {
            let tag = try #require(folder["name"]?.string)
            for item in items(folder["item"]) {
                let request = try #require(item["request"])
                let method = try #require(request["method"]?.string)
                let raw = try #require(request["url"]?["raw"]?.string)
                #expect(raw.hasPrefix("{{baseUrl}}/"))
                // Postman's :name path variables are OpenAPI's {name}.
                let path = "/" + raw.dropFirst("{{baseUrl}}/".count).split(separator: "?")[0].split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
                #expect(operations["\(method) \(path)"] == tag, "\(method) \(path) in folder \(tag)")
                let variables = items(request["url"]?["variable"]).compactMap { $0["key"]?.string }
                #expect(variables == path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
                if request["body"]?["mode"] == .string("formdata") {
                    // The document upload: a file part (Postman asks for the file) and kind.
                    #expect(items(request["body"]?["formdata"]).compactMap { $0["key"]?.string } == ["file", "kind"], "\(method) \(path)")
                } else if request["body"] != nil {
                    #expect(request["body"]?["mode"] == .string("raw"))
                    #expect((try? parse(request["body"]?["raw"]?.string ?? "")) != nil, "\(method) \(path): the example body is JSON")
                }
                requests.append("\(method) \(path)")
            }
        }
        #expect(requests.count == Set(requests).count && Set(requests) == Set(operations.keys))
    }

    @Test("the login request stores the access token; requests without a token opt out of the bearer auth")
    func loginSetsToken() throws {
        let all = items(try parse(PostmanCollection.json)["item"]).flatMap { items($0["item"]) }
        let login = try #require(all.first { $0["request"]?["url"]?["raw"] == .string("{{baseUrl}}/api/auth/login") })
        let script = items(login["event"]).filter { $0["listen"] == .string("test") }.flatMap { items($0["script"]?["exec"]) }.compactMap(\.string).joined(separator: "\n")
        #expect(script.contains("pm.collectionVariables.set(\"token\", body.access_token)"))
        #expect(login["request"]?["auth"]?["type"] == .string("noauth"))
        let me = try #require(all.first { $0["request"]?["url"]?["raw"] == .string("{{baseUrl}}/api/auth/me") })
        #expect(me["request"]?["auth"] == nil, "inherits the collection's bearer auth")
    }
}
