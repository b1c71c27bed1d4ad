import Foundation
import StoreIdPCore

/// Where the OpenID provider's endpoints are. `standard` is StoreIdP's own layout under the base
/// URL; `azureB2C(path:)` serves one client under `/b2c/{path}` in Azure AD B2C's layout, for
/// stores whose OIDC login only knows B2C (a "Provider URL" to which the store appends
/// `/discovery/keys` and the `/oauth2/v2.0/…` endpoints). Each layout is its own issuer
/// (OpenID Connect Discovery 1.0 §3: the issuer the metadata is served under), so a token issued
/// under one is not accepted under the other.
public enum OpenIDProviderLayout: Sendable, Hashable, Codable {
    case standard
    case azureB2C(path: String)

    public struct Endpoints: Sendable, Equatable {
        public let issuer: String
        public let authorization: String
        public let token: String
        public let userInfo: String
        public let endSession: String
        public let jwks: String
    }

    /// The endpoints under `base` (the IdP's base URL without a trailing slash).
    public func endpoints(base: String) -> Endpoints {
        switch self {
        case .standard:
            return Endpoints(issuer: base, authorization: base + "/oidc/authorize", token: base + "/oidc/token",
                             userInfo: base + "/oidc/userinfo", endSession: base + "/oidc/logout", jwks: base + "/.well-known/jwks.json")
        case let .azureB2C(path):
            let root = base + "/b2c/" + path
            return Endpoints(issuer: root, authorization: root + "/oauth2/v2.0/authorize", token: root + "/oauth2/v2.0/token",
                             userInfo: root + "/openid/v2.0/userinfo", endSession: root + "/oauth2/v2.0/logout",
                             jwks: root + "/discovery/v2.0/keys")
        }
    }

    /// Whether `provider` is a client of this layout: every OIDC client at the standard
    /// endpoints; only the client registered with the path under `/b2c/{path}`.
    public func admits(_ provider: ServiceProvider) -> Bool {
        guard let oidc = provider.oidc else { return false }
        switch self {
        case .standard: return true
        case let .azureB2C(path): return oidc.azureB2CPath == path
        }
    }

    /// Azure AD B2C sends the claims its user flow lists whatever the scope; clients written for
    /// it expect them. The standard layout releases claims by scope (OpenID Connect Core 1.0 §5.4).
    public var releasesEveryMappedClaim: Bool {
        if case .azureB2C = self { return true }
        return false
    }
}
