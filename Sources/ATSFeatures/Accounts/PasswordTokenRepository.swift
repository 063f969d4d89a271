import ATSDomain
import ATSPersistence
import ATSSupport

/// What a password token is for: resetting a forgotten password, or setting the first
/// one of an account staff created (an invitation).
public enum PasswordTokenPurpose: String, Sendable, CaseIterable {
    case reset
    case invite
}

/// A reset or invitation token as stored: its hash only, never the token.
public struct PasswordToken: Sendable, Equatable {
    public var id: Int64
    public var userID: UserID
    public var purpose: PasswordTokenPurpose
    public var expiresAt: Timestamp
    public var usedAt: Timestamp?
    public var createdAt: Timestamp

    public init(id: Int64, userID: UserID, purpose: PasswordTokenPurpose, expiresAt: Timestamp, usedAt: Timestamp?, createdAt: Timestamp) {
        self.id = id
        self.userID = userID
        self.purpose = purpose
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.createdAt = createdAt
    }
}

public protocol PasswordTokenRepository {
    /// Records a token by its hash (`AccountToken.hash`).
    func create(_ tenant: TenantID, userID: UserID, purpose: PasswordTokenPurpose, tokenHash: String, expiresAt: Timestamp) throws -> PasswordToken
    /// Tokens of `purpose` issued to the user since `since` (the reset limit). On
    /// PostgreSQL the user's row is locked first, so concurrent requests count one after
    /// the other and the limit holds exactly.
    func countIssued(_ tenant: TenantID, userID: UserID, purpose: PasswordTokenPurpose, since: Timestamp) throws -> Int
    /// The unused, unexpired token with this hash, or nil (a look-up that changes nothing).
    func findUsable(_ tenant: TenantID, tokenHash: String, now: Timestamp) throws -> PasswordToken?
    /// Uses the token with this hash if it is unused and unexpired: the token, or nil.
    /// One statement, so two confirmations of one token cannot both succeed.
    func redeem(_ tenant: TenantID, tokenHash: String, now: Timestamp) throws -> PasswordToken?
    /// Marks every outstanding token of the user used (after a reset, an invitation or a
    /// password change, no older link works).
    func consumeAll(_ tenant: TenantID, userID: UserID, now: Timestamp) throws
}
