import Foundation

/// One authorization of an OpenID Connect client for a customer (RFC 6749 §1.3): what its code
/// was issued for, and the family its refresh tokens belong to. Revoking it ends every token it
/// issued (RFC 9700 §4.5: a code used twice; §4.14.2: a refresh token used twice).
public struct OIDCGrant: Sendable, Equatable {
    public var id: String
    public var clientID: String
    public var providerSlug: String
    public var customerID: UUID
    public var scopes: [String]
    public var nonce: String?
    public var authTime: Date
    public var redirectURI: String
    /// The S256 challenge the code is bound to (RFC 7636 §4.4).
    public var codeChallenge: String?
    /// The issuer (layout) the code was issued under.
    public var issuer: String
    /// The `sub` the client was given, kept so it never changes for this grant (OpenID Connect
    /// Core 1.0 §2 "never reassigned"; §12.2: a refreshed ID token keeps it).
    public var subject: String
    public var codeExpiresAt: Date
    /// When the grant and every refresh token of its family end.
    public var expiresAt: Date
    public var revoked: Bool

    public init(id: String, clientID: String, providerSlug: String, customerID: UUID, scopes: [String], nonce: String?, authTime: Date,
                redirectURI: String, codeChallenge: String?, issuer: String, subject: String, codeExpiresAt: Date, expiresAt: Date,
                revoked: Bool = false) {
        self.id = id
        self.clientID = clientID
        self.providerSlug = providerSlug
        self.customerID = customerID
        self.scopes = scopes
        self.nonce = nonce
        self.authTime = authTime
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.issuer = issuer
        self.subject = subject
        self.codeExpiresAt = codeExpiresAt
        self.expiresAt = expiresAt
        self.revoked = revoked
    }
}

/// What presenting a single-use value (a code, a refresh token) found.
public enum OIDCRedemption: Sendable, Equatable {
    /// First use: the grant it belongs to.
    case redeemed(OIDCGrant)
    /// Used before: the grant whose tokens must now be revoked.
    case reused(grantID: String)
    case unknown
}

/// Codes, grants and refresh-token families, shared by every node. Values are stored as digests
/// (`OpaqueTokenDigest`); each redemption is one atomic statement, so two nodes can never both
/// redeem the same code or rotate the same refresh token.
public protocol OIDCGrantStore: Sendable {
    func create(_ grant: OIDCGrant, codeDigest: String) async throws
    /// Marks the code used, and answers what it was. Only a code issued to `clientID` is touched:
    /// another client's attempt finds nothing (`unknown`), so it can neither burn nor revoke a
    /// grant that is not its own (RFC 6749 §4.1.3).
    func redeem(codeDigest: String, clientID: String, now: Date) async throws -> OIDCRedemption
    func grant(id: String) async throws -> OIDCGrant?
    func revoke(grantID: String, now: Date) async throws
    func addRefreshToken(digest: String, grantID: String, expiresAt: Date) async throws
    /// Marks the refresh token used (rotated), and answers its grant; only a token of
    /// `clientID`'s grants is touched (RFC 6749 §6).
    func rotate(refreshDigest: String, clientID: String, now: Date) async throws -> OIDCRedemption
}
