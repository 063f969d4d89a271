import ATSSupport

/// A migration's SQL cut into single statements, so the runner can send them one at a
/// time: Citus forwards a multi-statement string to its workers as one prepared command
/// and refuses it (`42601: cannot insert multiple commands into a prepared statement`).
///
/// The cut is at a `;` outside string literals ('…', E'…' with backslash escapes),
/// quoted identifiers ("…"), dollar-quoted bodies ($$…$$, $fn$…$fn$) and comments
/// (`--` to the end of the line, nested `/* … */`). Comments stay in the statement they
/// precede; a statement that is only whitespace and comments is dropped. PostgreSQL
/// syntax: SQLite's `CREATE TRIGGER … BEGIN …; END` would be cut inside, so the SQLite
/// runner keeps sending the whole script (sqlite3_exec runs it statement by statement).
public enum SQLScript {
    public static func statements(_ script: String) -> [String] {
        let text = Array(script.unicodeScalars)
        var result: [String] = []
        var start = 0
        var hasCode = false
        var i = 0

        func flush(upTo end: Int) {
            if hasCode {
                let statement = String(String.UnicodeScalarView(text[start..<end])).trimming(" \t\r\n")
                if !statement.isEmpty { result.append(statement) }
            }
            start = end + 1
            hasCode = false
        }

        while i < text.count {
            let c = text[i]
            let next: Unicode.Scalar? = i + 1 < text.count ? text[i + 1] : nil
            switch c {
            case "-" where next == "-":
                while i < text.count && text[i] != "\n" { i += 1 }
            case "/" where next == "*":
                var depth = 1
                i += 2
                while i < text.count && depth > 0 {
                    if text[i] == "/" && i + 1 < text.count && text[i + 1] == "*" { depth += 1; i += 2 }
                    else if text[i] == "*" && i + 1 < text.count && text[i + 1] == "/" { depth -= 1; i += 2 }
                    else { i += 1 }
                }
                continue
            case "'":
                hasCode = true
                let escapes = i > 0 && (text[i - 1] == "E" || text[i - 1] == "e") && (i < 2 || !isIdentifierPart(text[i - 2]))
                i = skipQuoted(text, from: i, quote: "'", backslashEscapes: escapes)
                continue
            case "\"":
                hasCode = true
                i = skipQuoted(text, from: i, quote: "\"", backslashEscapes: false)
                continue
            case "$" where i == 0 || !isIdentifierPart(text[i - 1]):
                hasCode = true
                if let tagEnd = dollarTagEnd(text, from: i) {
                    let tag = Array(text[i...tagEnd])
                    i = tagEnd + 1
                    // The body runs to the same tag; an unterminated body runs to the end
                    // (PostgreSQL then reports the error, not us).
                    while i < text.count && !(text[i] == "$" && Array(text[i..<min(text.count, i + tag.count)]) == tag) { i += 1 }
                    i = min(text.count, i + tag.count)
                    continue
                }
            case ";":
                flush(upTo: i)
            case " ", "\t", "\r", "\n":
                break
            default:
                hasCode = true
            }
            i += 1
        }
        flush(upTo: text.count)
        return result
    }

    /// The statement from its first token on: without the whitespace and comments that
    /// precede it (a statement from `statements` keeps the comments above it).
    public static func withoutLeadingComments(_ statement: String) -> Substring {
        var rest = Substring(statement)
        while true {
            rest = rest.drop(while: { $0.isWhitespace })
            if rest.hasPrefix("--") {
                rest = rest.drop(while: { $0 != "\n" })
            } else if rest.hasPrefix("/*") {
                rest = rest.dropFirst(2)
                while !rest.isEmpty && !rest.hasPrefix("*/") { rest = rest.dropFirst() }
                rest = rest.dropFirst(2)
            } else {
                return rest
            }
        }
    }

    /// The index just past the closing quote (a doubled quote is an escaped one).
    private static func skipQuoted(_ text: [Unicode.Scalar], from start: Int, quote: Unicode.Scalar, backslashEscapes: Bool) -> Int {
        var i = start + 1
        while i < text.count {
            if backslashEscapes && text[i] == "\\" { i += 2; continue }
            if text[i] == quote {
                if i + 1 < text.count && text[i + 1] == quote { i += 2; continue }
                return i + 1
            }
            i += 1
        }
        return text.count
    }

    /// For `$tag$` (or `$$`) starting at `start`: the index of its closing `$`; nil for a
    /// parameter like `$1` or a lone `$`.
    private static func dollarTagEnd(_ text: [Unicode.Scalar], from start: Int) -> Int? {
        var i = start + 1
        if i < text.count, text[i] == "$" { return i }
        guard i < text.count, isIdentifierStart(text[i]) else { return nil }
        // A tag is an identifier without `$` (which would end it).
        while i < text.count, text[i] != "$", isIdentifierPart(text[i]) { i += 1 }
        return i < text.count && text[i] == "$" ? i : nil
    }

    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c.value > 127
    }

    private static func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || (c >= "0" && c <= "9") || c == "$"
    }
}
