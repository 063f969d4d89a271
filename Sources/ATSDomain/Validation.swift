/// Input rules shared by the CLI and the API.
public enum Validation {
    /// Trims and lower-cases an email address; nil when it is not plausibly one
    /// (3–254 characters, one `@` with text on both sides and a dot in the domain,
    /// no spaces or control characters).
    public static func normalizedEmail(_ raw: String) -> String? {
        let email = String(raw.unicodeScalars.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed()
            .map(Character.init)).lowercased()
        let count = email.unicodeScalars.count
        guard count >= 3, count <= 254 else { return nil }
        guard !email.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else { return nil }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return nil }
        return email
    }

    /// API.md: passwords are 8–1024 characters.
    public static func isAcceptablePassword(_ password: String) -> Bool {
        (8...1024).contains(password.unicodeScalars.count)
    }
}
