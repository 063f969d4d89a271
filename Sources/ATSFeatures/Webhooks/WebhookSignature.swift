import ATSAuth

/// `ATS-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, one
/// `v1=` per live secret (two for 24 h after a rotation), as receivers verify it.
public enum WebhookSignature {
    public static func header(secrets: [String], timestamp: Int64, body: [UInt8]) -> String {
        let signed = Array("\(timestamp).".utf8) + body
        return (["t=\(timestamp)"] + secrets.map { "v1=" + Sodium.hex(Sodium.hmacSHA256(key: Array($0.utf8), signed)) }).joined(separator: ",")
    }
}
