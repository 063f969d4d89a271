#if canImport(Glibc)
import Glibc
#endif

/// Where composed mail goes. Implementations must be idempotent per `key` (the outbox
/// row), so a message delivered twice by a retry is sent once.
public protocol MailTransport: Sendable {
    func deliver(_ message: MailMessage, key: String) throws
    /// One line for the start-up log: where mail goes.
    var summary: String { get }
}

/// The development default: every message becomes `<directory>/<key>.eml`, written
/// atomically (temporary file, then rename); a file that already exists is left alone,
/// so a redelivery writes nothing twice.
public struct MailDirectoryTransport: MailTransport {
    public let directory: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(directory: String) throws {
        self.directory = directory
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw Failure(description: "cannot create the mail directory \(directory): \(String(cString: strerror(errno)))")
        }
    }

    public var summary: String { "writing e-mail as .eml files to \(directory)/ (no SMTP_URL)" }

    public func deliver(_ message: MailMessage, key: String) throws {
        // The key is a file name: letters, digits, '-' and '_' only, never a path.
        let safe = !key.isEmpty && key.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 }
        guard safe else { throw Failure(description: "refusing a delivery key that is not a plain file name") }
        let path = "\(directory)/\(key).eml"
        if access(path, F_OK) == 0 { return }
        let temporary = "\(directory)/.\(key).tmp"
        // 0600: a mail holds personal data; only the service's user reads it.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0, let file = fdopen(descriptor, "w") else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw Failure(description: "cannot write \(temporary): \(reason)")
        }
        let bytes = Array(message.rendered().utf8)
        let written = fwrite(bytes, 1, bytes.count, file)
        let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
        fclose(file)
        guard written == bytes.count, flushed, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
