import Foundation
import StoreIdPCore

/// The OpenID provider metadata (OpenID Connect Discovery 1.0 §3; RFC 8414 §2), served at
/// `{issuer}/.well-known/openid-configuration` (§4). Only what StoreIdP does is listed.
public struct OpenIDDiscoveryDocument: Sendable, Encodable, Equatable {
    public let issuer: String
    public let authorization_endpoint: String
    public let token_endpoint: String
    public let userinfo_endpoint: String
    public let end_session_endpoint: String
    public let jwks_uri: String
    public let response_types_supported = ["code"]
    public let response_modes_supported = ["query"]
    public let grant_types_supported = ["authorization_code", "refresh_token"]
    public let subject_types_supported = ["public", "pairwise"]
    public let id_token_signing_alg_values_supported = ServiceProvider.OIDCSettings.Algorithm.allCases.map(\.rawValue)
    public let token_endpoint_auth_methods_supported = ["client_secret_basic", "client_secret_post", "none"]
    /// RFC 7636 §4.3: `plain` is not offered (RFC 9700 §2.1.1).
    public let code_challenge_methods_supported = ["S256"]
    public let scopes_supported = OpenIDScope.supported
    public let claims_supported: [String]
    /// `consent` and `select_account` are accepted and need nothing: the store admin consented
    /// for the store by registering the client, and a browser has one store account at a time.
    public let prompt_values_supported = ["none", "login"]
    public let display_values_supported = ["page", "popup", "touch", "wap"]
    public let claims_parameter_supported = false
    public let request_parameter_supported = false
    public let request_uri_parameter_supported = false
    /// RFC 9207: the authorization response names its issuer.
    public let authorization_response_iss_parameter_supported = true

    public init(layout: OpenIDProviderLayout, base: String) {
        let endpoints = layout.endpoints(base: base)
        issuer = endpoints.issuer
        authorization_endpoint = endpoints.authorization
        token_endpoint = endpoints.token
        userinfo_endpoint = endpoints.userInfo
        end_session_endpoint = endpoints.endSession
        jwks_uri = endpoints.jwks
        claims_supported = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
                            "email", "given_name", "family_name", "name", "phone_number"]
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
