import Foundation
import Testing

/// Runs the real `ats` binary (built next to the test bundle) as a child process.
struct ATSProcess {
    static var executable: URL {
        let testBinary = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        return testBinary.deletingLastPathComponent().appendingPathComponent("ats")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { a, _ in a }
        process.currentDirectoryURL = directory ?? FileManager.default.temporaryDirectory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

@Suite("ats command line")
struct CLITests {
    @Test func helpAndVersion() throws {
        let help = try ATSProcess.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Usage: ats COMMAND"))
        #expect(help.stdout.contains("serve"))
        let serveHelp = try ATSProcess.run(["serve", "--help"])
        #expect(serveHelp.status == 0)
        #expect(serveHelp.stdout.contains("ATS_MAX_CONNECTIONS"))
        let version = try ATSProcess.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("ats "))
        #expect(version.stdout.contains("libpq") && version.stdout.contains("sqlite") && version.stdout.contains("libsodium"))
    }

    @Test("unknown commands and flags print usage to stderr and exit 2", arguments: [
        ["frobnicate"], ["--frobnicate"], ["serve", "--port"], [], ["help", "nosuch"],
    ])
    func usageErrors(_ arguments: [String]) throws {
        let result = try ATSProcess.run(arguments)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("ats: "))
        #expect(result.stderr.contains("Usage: ats COMMAND"))
    }

    @Test func badConfigurationIsOneLineAndExit2() throws {
        let result = try ATSProcess.run(["serve"], environment: ["ATS_PORT": "http"])
        #expect(result.status == 2)
        #expect(result.stderr == "ats: ATS_PORT: expected a whole number from 0 to 65535, got 'http'\n")
    }

    @Test func badDotEnvIsOneLineAndExit2() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "ATS_THREADS=2\nthis is not a pair\n".write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let result = try ATSProcess.run(["serve"], directory: directory)
        #expect(result.status == 2)
        #expect(result.stderr == "ats: .env line 2: expected KEY=value\n")
        // The environment wins over .env.
        try "ATS_PORT=nonsense\n".write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let overridden = try ATSProcess.run(["serve"], environment: ["ATS_PORT": "-5"], directory: directory)
        #expect(overridden.stderr.hasPrefix("ats: ATS_PORT:") && overridden.stderr.contains("'-5'"))
    }

    @Test func serveAnswersAndStopsOnSIGTERMWithExit0() throws {
        let process = Process()
        process.executableURL = ATSProcess.executable
        process.arguments = ["serve"]
        process.environment = ["ATS_PORT": "0", "ATS_THREADS": "1"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The first log line says where it listens.
        var collected = Data()
        var port: Int?
        let deadline = Date().addingTimeInterval(10)
        while port == nil && Date() < deadline {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            collected.append(chunk)
            let text = String(decoding: collected, as: UTF8.self)
            if let range = text.range(of: "\"address\":\"127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix(while: { $0.isNumber }))
            }
        }
        let bound = try #require(port)
        let (status, body) = try fetch(port: bound, path: "/healthz")
        #expect(status == 200)
        #expect(body == #"{"status":"ok"}"#)
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let rest = String(decoding: collected + err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(rest.contains("\"msg\":\"request\""))
        #expect(rest.contains("\"msg\":\"stopped\""))
    }

    /// A blocking GET over a raw socket: status and body.
    private func fetch(port: Int, path: String) throws -> (Int, String) {
        let socket = try #require(SocketClient(port: port))
        let text = String(decoding: try socket.roundTrip("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let statusLine = parts[0].split(separator: " ")
        return (statusLine.count > 1 ? Int(statusLine[1]) ?? 0 : 0, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}

/// Connect, send, read to EOF.
struct SocketClient {
    let fd: Int32

    init?(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 { close(fd); return nil }
    }

    func roundTrip(_ request: String) throws -> [UInt8] {
        defer { close(fd) }
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }
}
