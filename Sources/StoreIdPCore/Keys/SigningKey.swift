import Foundation

/// One of the IdP's signing keys: a private key, its X.509 certificate and a `kid`.
///
/// Rotation moves a key through three states. A `next` key is published (metadata, JWKS) before
/// it signs anything, so partners that cache our keys learn it in advance; the `active` key signs;
/// a `retired` key is still published for `KeyRing.retiredGracePeriod` so that tokens it signed
/// shortly before a rotation still verify, then it is dropped from what we publish.
public struct SigningKey: Sendable, Hashable {
    public enum State: String, Sendable, Codable, Hashable, Comparable {
        case next, active, retired

        private var order: Int { self == .active ? 0 : self == .next ? 1 : 2 }
        public static func < (lhs: State, rhs: State) -> Bool { lhs.order < rhs.order }
    }

    /// JWS algorithm name (RFC 7518 §3.1) of what this key signs with.
    public enum Algorithm: String, Sendable, Codable, Hashable, CaseIterable {
        /// RSA-2048 with SHA-256 (RSASSA-PKCS1-v1_5): SAML signatures and RS256/PS256 JWTs.
        case rs256 = "RS256"
        /// ECDSA P-256 with SHA-256: ES256 JWTs.
        case es256 = "ES256"
    }

    public let kid: String
    public let algorithm: Algorithm
    public var state: State
    public let createdAt: Date
    public var activatedAt: Date?
    public var retiredAt: Date?
    /// The certificate's notAfter.
    public let notAfter: Date
    public let privateKeyPEM: String
    public let certificatePEM: String

    public init(kid: String, algorithm: Algorithm, state: State, createdAt: Date, activatedAt: Date? = nil,
                retiredAt: Date? = nil, notAfter: Date, privateKeyPEM: String, certificatePEM: String) {
        self.kid = kid
        self.algorithm = algorithm
        self.state = state
        self.createdAt = createdAt
        self.activatedAt = activatedAt
        self.retiredAt = retiredAt
        self.notAfter = notAfter
        self.privateKeyPEM = privateKeyPEM
        self.certificatePEM = certificatePEM
    }
}
