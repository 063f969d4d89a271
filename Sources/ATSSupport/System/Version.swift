/// The release of this build (`ats --version`).
public enum ATSVersion {
    public static let string = "0.1.0"
}
