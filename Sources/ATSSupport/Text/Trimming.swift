#if canImport(Glibc)
import Glibc
#endif

extension StringProtocol {
    /// The text without leading and trailing characters from `set` (spaces and tabs by
    /// default), compared as Unicode scalars.
    @inlinable
    public func trimming(_ set: String = " \t") -> String {
        let drop = Set(set.unicodeScalars)
        let scalars = unicodeScalars.drop(while: { drop.contains($0) }).reversed().drop(while: { drop.contains($0) }).reversed()
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }
}
