import Foundation

extension ServiceProvider {
    /// An OpenID Connect relying party (a "client", RFC 6749 §2) signing customers in with the
    /// authorization code flow (OpenID Connect Core 1.0 §3.1).
    public struct OIDCSettings: Sendable, Hashable, Codable {
        /// What `sub` carries (OpenID Connect Core 1.0 §8: public or pairwise identifiers).
        public enum Subject: String, Sendable, Hashable, Codable, CaseIterable {
            /// A per-client identifier (§8.1) derived from the customer and the client id.
            case pairwise
            /// The customer's email.
            case email
            /// The store's customer id.
            case customerID = "customer_id"
        }

        /// The JWS algorithm of ID tokens and access tokens (OpenID Connect Core 1.0 §3.1.3.7
        /// requires RS256 support; ES256 for clients that prefer it). Signed with the key ring.
        public enum Algorithm: String, Sendable, Hashable, Codable, CaseIterable {
            case rs256 = "RS256"
            case es256 = "ES256"

            public var signingKeyAlgorithm: SigningKey.Algorithm {
                switch self {
                case .rs256: return .rs256
                case .es256: return .es256
                }
            }
        }

        /// Access tokens are short-lived bearer credentials (RFC 9700 §2.2.1).
        public static let accessTokenLifetimeRange: ClosedRange<Int> = 60...3600
        public static let defaultAccessTokenLifetime = 300
        /// How long a refresh-token family lives from the authorization it came from.
        public static let refreshTokenLifetime: TimeInterval = 30 * 24 * 3600
        /// A client secret shorter than this is guessable (RFC 6749 §10.10).
        public static let minimumSecretBytes = 16

        public var clientID: String
        /// Nil for a public client, which must use PKCE (RFC 7636; RFC 9700 §2.1.1).
        public var clientSecret: SecretReference?
        /// Compared exactly, character for character (RFC 9700 §4.1.3; OpenID Connect Core 1.0
        /// §3.1.2.1 "Simple String Comparison").
        public var redirectURIs: [String]
        /// Where RP-initiated logout may send the browser (OpenID Connect RP-Initiated Logout 1.0 §2).
        public var postLogoutRedirectURIs: [String]
        public var subject: Subject
        public var idTokenAlgorithm: Algorithm
        public var accessTokenLifetimeSeconds: Int
        /// Whether `offline_access` may be granted (a refresh token, OpenID Connect Core 1.0 §11).
        public var refreshTokens: Bool
        /// Also served under `/b2c/{path}` in Azure AD B2C's URL layout.
        public var azureB2CPath: String?

        public init(clientID: String, clientSecret: SecretReference? = nil, redirectURIs: [String], postLogoutRedirectURIs: [String] = [],
                    subject: Subject = .pairwise, idTokenAlgorithm: Algorithm = .rs256,
                    accessTokenLifetimeSeconds: Int = OIDCSettings.defaultAccessTokenLifetime, refreshTokens: Bool = false,
                    azureB2CPath: String? = nil) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.redirectURIs = redirectURIs
            self.postLogoutRedirectURIs = postLogoutRedirectURIs
            self.subject = subject
            self.idTokenAlgorithm = idTokenAlgorithm
            self.accessTokenLifetimeSeconds = accessTokenLifetimeSeconds
            self.refreshTokens = refreshTokens
            self.azureB2CPath = azureB2CPath
        }

        /// A client without a secret (RFC 6749 §2.1): it cannot authenticate, so PKCE binds its codes.
        public var isPublic: Bool { clientSecret == nil }
    }
}

extension ServiceProvider.OIDCSettings.Subject: RegistrationChoice {}
extension ServiceProvider.OIDCSettings.Algorithm: RegistrationChoice {}
