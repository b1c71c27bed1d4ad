import Foundation

extension ServiceProvider {
    /// A partner that accepts a signed JWT on a login URL (RFC 7519; RFC 8725 best practices).
    public struct JWTSettings: Sendable, Hashable, Codable {
        /// The per-provider algorithm, fixed at registration, never taken from input
        /// (RFC 8725 §3.1). `none` does not exist here.
        public enum Algorithm: String, Sendable, Hashable, Codable, CaseIterable {
            case hs256 = "HS256", hs384 = "HS384", hs512 = "HS512"
            case rs256 = "RS256", ps256 = "PS256", es256 = "ES256"

            public var isSymmetric: Bool { rawValue.hasPrefix("HS") }

            /// RFC 7518 §3.2: an HMAC key at least as long as the hash output.
            public var minimumSecretBytes: Int {
                switch self {
                case .hs384: return 48
                case .hs512: return 64
                default: return 32
                }
            }

            /// The key-ring algorithm an asymmetric JWT algorithm signs with.
            public var signingKeyAlgorithm: SigningKey.Algorithm? {
                switch self {
                case .rs256, .ps256: return .rs256
                case .es256: return .es256
                default: return nil
                }
            }
        }

        /// How the token reaches the partner.
        public enum Delivery: String, Sendable, Hashable, Codable, CaseIterable {
            /// `redirect_url?parameter=TOKEN` (a 303 redirect).
            case query
            /// An auto-submitting form posting `parameter=TOKEN` (keeps the token out of logs and Referer).
            case form
        }

        /// What `sub` carries.
        public enum Subject: String, Sendable, Hashable, Codable, CaseIterable {
            case email
            case pairwise
        }

        public var algorithm: Algorithm
        public var secret: SecretReference?
        public var redirectURL: String
        public var delivery: Delivery
        public var parameter: String
        public var subject: Subject
        public var extraClaims: [String: String]

        public init(algorithm: Algorithm, secret: SecretReference? = nil, redirectURL: String, delivery: Delivery = .query,
                    parameter: String = "jwt", subject: Subject = .email, extraClaims: [String: String] = [:]) {
            self.algorithm = algorithm
            self.secret = secret
            self.redirectURL = redirectURL
            self.delivery = delivery
            self.parameter = parameter
            self.subject = subject
            self.extraClaims = extraClaims
        }

        /// The default audience: the redirect URL's origin.
        public var defaultAudience: String {
            guard let components = URLComponents(string: redirectURL), let scheme = components.scheme, let host = components.host else { return redirectURL }
            return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
        }
    }

    /// A BigCommerce storefront signing customers in through the Customer Login API.
    public struct BigCommerceSettings: Sendable, Hashable, Codable {
        public static let defaultAPIURL = "https://api.bigcommerce.com"

        public var storeURL: String
        public var storeHash: String
        public var channelID: Int?
        public var clientID: String
        public var clientSecret: SecretReference
        public var apiToken: SecretReference
        public var apiURL: String

        public init(storeURL: String, storeHash: String, channelID: Int? = nil, clientID: String, clientSecret: SecretReference,
                    apiToken: SecretReference, apiURL: String = BigCommerceSettings.defaultAPIURL) {
            self.storeURL = storeURL
            self.storeHash = storeHash
            self.channelID = channelID
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.apiToken = apiToken
            self.apiURL = apiURL
        }
    }
}
