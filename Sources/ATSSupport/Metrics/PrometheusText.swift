/// Writes the Prometheus text exposition format (0.0.4): one `family` header, then its
/// samples. Every metric of the server, the outbox and the worker is rendered through it.
public struct PrometheusText {
    public enum Kind: String { case counter, gauge, histogram }

    public private(set) var text = ""

    public init() {}

    public mutating func family(_ name: String, _ kind: Kind, help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Int) {
        text += name + PrometheusText.labels(labels) + " \(value)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        text += name + PrometheusText.labels(labels) + " \(value)\n"
    }

    /// `name_bucket{…,le=…}` for each bound and `+Inf`, then `name_sum` and `name_count`.
    public mutating func histogram(_ name: String, _ labels: [(String, String)], _ h: Histogram) {
        for (i, bound) in h.bounds.enumerated() { sample(name + "_bucket", labels + [("le", "\(bound)")], h.buckets[i]) }
        sample(name + "_bucket", labels + [("le", "+Inf")], h.count)
        sample(name + "_sum", labels, h.sum)
        sample(name + "_count", labels, h.count)
    }

    /// Text a collector produced elsewhere (already in this format).
    public mutating func append(_ rendered: String) { text += rendered }

    static func labels(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// Label values escape `\`, `"` and newlines.
    static func escape(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
