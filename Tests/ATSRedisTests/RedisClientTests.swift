import ATSOutbox
import ATSRedis
import ATSTestSupport
import Foundation
import Testing

@Suite("RESP codec")
struct RESPTests {
    static let fixtures: [(String, RESPValue)] = [
        ("+OK\r\n", .simple("OK")),
        ("-ERR wrong type\r\n", .error("ERR wrong type")),
        (":-42\r\n", .integer(-42)),
        ("$5\r\nhe\r\no\r\n", .bulk(Array("he\r\no".utf8))),
        ("$0\r\n\r\n", .bulk([])),
        ("$-1\r\n", .bulk(nil)),
        ("*-1\r\n", .array(nil)),
        ("*2\r\n*1\r\n:1\r\n$3\r\nabc\r\n", .array([.array([.integer(1)]), .bulk(Array("abc".utf8))])),
    ]

    @Test func parsesEveryFixtureAtEverySplitPoint() throws {
        for (wire, expected) in RESPTests.fixtures {
            let bytes = Array(wire.utf8)
            for split in 0...bytes.count {
                var buffer = Array(bytes[0..<split])
                var start = 0
                var value = try RESP.parse(buffer, start: &start)
                if split < bytes.count {
                    #expect(value == nil && start == 0, "\(wire) split at \(split)")
                    buffer += bytes[split...]
                    value = try RESP.parse(buffer, start: &start)
                }
                #expect(value == expected, "\(wire)")
                #expect(start == bytes.count)
            }
        }
    }

    @Test("malformed replies are errors, not traps", arguments: [
        "?x\r\n", ":abc\r\n", "$-2\r\n", "$3\r\nabcXY", "*-5\r\n", "+OK\rX", "$99999999999\r\n", "*99999999\r\n", ":\r\n",
        String(repeating: "*1\r\n", count: 40) + ":1\r\n",
    ])
    func malformed(_ wire: String) {
        var start = 0
        #expect(throws: RESPError.self) { _ = try RESP.parse(Array(wire.utf8), start: &start) }
    }

    @Test func encodesCommandsAsBulkArrays() {
        #expect(String(decoding: RESP.command(["SET", "k", "v é"]), as: UTF8.self) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\nv é\r\n")
    }

    @Test func parsesRedisURLs() throws {
        let plain = try #require(RedisSettings(url: "redis://127.0.0.1"))
        #expect(plain.port == 6379 && plain.password == nil && plain.database == 0)
        let full = try #require(RedisSettings(url: "redis://:s3cret@redis.internal:6380/2"))
        #expect(full.host == "redis.internal" && full.port == 6380 && full.password == "s3cret" && full.username == nil && full.database == 2)
        #expect(RedisSettings(url: "redis://user:pw@h/0")?.username == "user")
        #expect(RedisSettings(url: "http://x") == nil && RedisSettings(url: "redis://h:0") == nil && RedisSettings(url: "redis://h/99") == nil)
    }
}

extension RedisServer {
    var settings: RedisSettings {
        var s = RedisSettings(url: url)
        s?.timeout = 2
        return s ?? RedisSettings(url: "redis://127.0.0.1")!
    }
}

@Suite("RedisClient against a real redis-server", .serialized, .timeLimit(.minutes(3)))
struct RedisClientTests {
    @Test func commandsAuthAndSelect() throws {
        let server = try RedisServer(password: "s3cret")
        var settings = server.settings
        settings.database = 3
        let client = RedisClient(settings: settings)
        #expect(try client.command(["PING"]) == .simple("PONG"))
        try client.command(["SET", "greeting", "hello é"])
        #expect(try client.command(["GET", "greeting"]).string == "hello é")
        #expect(try client.command(["GET", "missing"]) == .bulk(nil))
        #expect(throws: RedisError.self) { try client.command(["NOSUCHCOMMAND"]) }
        #expect(try client.command(["PING"]) == .simple("PONG"), "an error reply keeps the connection")
        var wrong = server.settings
        wrong.password = "wrong"
        #expect {
            try RedisClient(settings: wrong).command(["PING"])
        } throws: { error in
            guard case RedisError.server(let message) = error else { return false }
            return message.hasPrefix("AUTH failed") && !message.contains("wrong")
        }
    }

    @Test func survivesARedisRestartWithBackoff() throws {
        let server = try RedisServer()
        let client = RedisClient(settings: server.settings)
        try client.command(["SET", "k", "1"])
        server.stop()
        #expect(throws: RedisError.self) { try client.command(["GET", "k"]) }
        // While Redis is down calls fail fast (back-off), never hang.
        let t0 = Date()
        for _ in 0..<5 { #expect(throws: RedisError.self) { try client.command(["PING"]) } }
        #expect(Date().timeIntervalSince(t0) < 3)
        try server.start()
        var recovered = false
        for _ in 0..<60 where !recovered {
            recovered = (try? client.command(["PING"])) == .simple("PONG")
            if !recovered { usleep(100_000) }
        }
        #expect(recovered, "the client reconnects by itself once Redis is back")
    }
}
