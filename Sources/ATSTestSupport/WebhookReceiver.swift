import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A test certificate authority and a server certificate it signed for `localhost` and
/// 127.0.0.1 (made with the `openssl` command), in a temporary directory.
public final class TestCertificates {
    public let directory: URL
    public var caFile: String { directory.appendingPathComponent("ca.pem").path }
    public var certificate: String { directory.appendingPathComponent("server.pem").path }
    public var key: String { directory.appendingPathComponent("server.key").path }

    /// `names`: the subjectAltName entries of the server certificate.
    public init(names: String = "DNS:localhost,IP:127.0.0.1") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let d = directory.path
        let script = """
            set -e; cd '\(d)'
            openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=ats-test-ca -days 1 -keyout ca.key -out ca.pem
            openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr
            printf 'subjectAltName=\(names)\\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile ext.cnf -out server.pem
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("openssl could not make the test certificates")
            throw CancellationError()
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// scripts/webhook-receiver.py on 127.0.0.1: HTTPS with `certificates` (or plain HTTP),
/// answering as its control file says (`""`, a status, `hold`, `redirect`) and logging
/// every answered request.
public final class WebhookReceiver {
    let process = Process()
    public let directory: URL
    public private(set) var port = 0
    public let isHTTPS: Bool

    public struct Request: Sendable {
        public let path: String
        public let headers: [String: String]
        public let body: String
        public let status: Int

        public func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    public init(certificates: TestCertificates?) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-receiver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data().write(to: directory.appendingPathComponent("control"))
        isHTTPS = certificates != nil
        var arguments = [root.appendingPathComponent("scripts/webhook-receiver.py").path, logFile.path, directory.appendingPathComponent("control").path]
        if let certificates { arguments += [certificates.certificate, certificates.key] }
        port = try SMTPSink.launchPython(process, arguments, what: "the webhook receiver")
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    var logFile: URL { directory.appendingPathComponent("requests.jsonl") }

    /// `https://localhost:PORT/hook` (or http://).
    public var url: String { "\(isHTTPS ? "https" : "http")://localhost:\(port)/hook" }

    public func answer(_ mode: String) throws { try Data(mode.utf8).write(to: directory.appendingPathComponent("control")) }

    /// Whether a request is being held (mode `hold`).
    public var isHolding: Bool { FileManager.default.fileExists(atPath: logFile.path + ".holding") }

    public var requests: [Request] {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(path: object["path"] as? String ?? "", headers: object["headers"] as? [String: String] ?? [:],
                           body: object["body"] as? String ?? "", status: object["status"] as? Int ?? 0)
        }
    }
}
