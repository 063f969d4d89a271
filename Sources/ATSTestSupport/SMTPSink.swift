import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// scripts/smtp-sink.py (aiosmtpd) on 127.0.0.1: a real SMTP server for each test.
public final class SMTPSink {
    let process = Process()
    public let directory: URL
    public private(set) var port = 0

    public init(_ options: [String] = []) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ats-sink-\(UUID().uuidString)")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/smtp-sink.py").path, directory.path] + options
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard line.hasPrefix("listening "), let port = Int(line.dropFirst(10).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("the SMTP sink did not start (is aiosmtpd installed? scripts/test installs it): \(line)")
            throw CancellationError()
        }
        self.port = port
    }

    deinit {
        // SIGKILL: the sink writes each message atomically, so there is nothing to flush,
        // and aiosmtpd's shutdown can wait on open sessions.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    public var messages: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
            .compactMap { try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
    }
}

