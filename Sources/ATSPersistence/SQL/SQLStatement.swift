/// SQL text assembled from constant fragments, with every value bound as a numbered
/// placeholder. `bind` returns the placeholder to splice in: user input never becomes
/// SQL text.
public struct SQLStatement: Sendable {
    public private(set) var sql: String
    public private(set) var parameters: [SQLValue] = []

    public init(_ sql: String = "") { self.sql = sql }

    public mutating func append(_ fragment: String) { sql += fragment }

    /// Adds a parameter and returns its placeholder (`$3`).
    public mutating func bind(_ value: SQLValue) -> String {
        parameters.append(value)
        return "$\(parameters.count)"
    }

    /// `value` as a LIKE pattern matching it anywhere, with `%`, `_` and `\` escaped
    /// (use with `ESCAPE '\'`). Not case-folded here: the SQL folds both sides with the
    /// engine's own `lower()`, so the pattern and the column agree (SQLite folds ASCII only).
    /// Escapes per Unicode scalar, as the engines read the pattern: a `%` followed by
    /// a combining mark is one Character to Swift but still a wildcard to SQL.
    public static func containsPattern(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("%")
        for scalar in value.unicodeScalars {
            if scalar == "%" || scalar == "_" || scalar == "\\" { out.append("\\") }
            out.append(scalar)
        }
        out.append("%")
        return String(out)
    }
}
