/// Parses the `.env` format: `KEY=value` lines, `#` comments, blank lines, an optional
/// `export ` prefix, and single- or double-quoted values (double quotes understand
/// `\n`, `\"` and `\\`). Anything else is an error naming the line.
public enum DotEnv {
    public static func parse(_ text: String, file: String = ".env") throws(ConfigError) -> [String: String] {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            line = line.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop(while: { $0 == " " }) }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigError("\(file) line \(index + 1)", "expected KEY=value")
            }
            let key = String(line[..<equals]).trimming()
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !(key.first?.isNumber ?? true) else {
                throw ConfigError("\(file) line \(index + 1)", "'\(key)' is not a valid variable name")
            }
            values[key] = try value(String(line[line.index(after: equals)...]), location: "\(file) line \(index + 1)")
        }
        return values
    }

    private static func value(_ raw: String, location: String) throws(ConfigError) -> String {
        let text = raw.trimming()
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            // Unquoted: a ` #` starts a comment.
            var previous: Character = " "
            for index in text.indices {
                if text[index] == "#" && (previous == " " || previous == "\t") { return String(text[..<index]).trimming() }
                previous = text[index]
            }
            return text
        }
        var result = ""
        var escaped = false
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            let c = text[index]
            if escaped {
                switch c {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(c)
                }
                escaped = false
            } else if c == "\\" && quote == "\"" {
                escaped = true
            } else if c == quote {
                let rest = text[text.index(after: index)...].trimming()
                guard rest.isEmpty || rest.hasPrefix("#") else { throw ConfigError(location, "unexpected text after the closing quote") }
                return result
            } else {
                result.append(c)
            }
            index = text.index(after: index)
        }
        throw ConfigError(location, "unterminated quoted value")
    }
}
