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
        port = try SMTPSink.launchPython(process, [root.appendingPathComponent("scripts/smtp-sink.py").path, directory.path] + options,
                                         what: "the SMTP sink (is aiosmtpd installed? scripts/test installs it)")
    }

    /// Runs `python3 arguments…` in `process`, which prints `listening PORT` once it
    /// accepts connections on 127.0.0.1; returns the port (records an issue and throws
    /// when `what` did not start).
    public static func launchPython(_ process: Process, _ arguments: [String], what: String, stderr: FileHandle = .standardError) throws -> Int {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = stderr
        try process.run()
        var line = ""
        while !line.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += String(decoding: data, as: UTF8.self)
        }
        guard line.hasPrefix("listening "), let port = Int(line.dropFirst(10).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("\(what) did not start: \(line)")
            throw CancellationError()
        }
        return port
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

