#if canImport(Glibc)
import Glibc
#endif

/// The few file operations the CLI needs, on Glibc (the binary does not link Foundation).
enum FileSystem {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ path: String) throws -> String {
        let bytes = try readBytes(path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Failure(description: "\(path) is not UTF-8") }
        return text
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "r") else { throw Failure(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// Writes `text` to `path` through a temporary file and a rename, so a reader never
    /// sees half a file.
    static func write(_ path: String, _ text: String) throws {
        let temporary = path + ".tmp"
        guard let file = fopen(temporary, "w") else { throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = fwrite(bytes, 1, bytes.count, file)
        let closed = fclose(file)
        guard written == bytes.count, closed == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// File names in a directory (no `.` entries), sorted.
    static func list(_ directory: String) throws -> [String] {
        guard let dir = opendir(directory) else { throw Failure(description: "cannot list \(directory): \(String(cString: strerror(errno)))") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }
}
