import Foundation
import JWTSSO
import StoreIdPCore

/// A validated authorization request (OpenID Connect Core 1.0 §3.1.2.1), kept as this value in
/// the session while the customer signs in.
public struct OIDCAuthorizationRequest: Sendable, Equatable, Codable {
    /// `prompt` values (OpenID Connect Core 1.0 §3.1.2.1).
    public enum Prompt: String, Sendable, Codable, CaseIterable {
        case none, login, consent
        case selectAccount = "select_account"
    }

    public static let maximumStateBytes = 2048
    public static let maximumNonceBytes = 512
    public static let maximumHintBytes = 512
    public static let maximumIDTokenHintBytes = 8192
    /// Ten years: a larger max_age means "any login" and is bounded here so arithmetic cannot trap.
    public static let maximumMaxAge = 315_360_000

    public var providerSlug: String
    public var clientID: String
    public var redirectURI: String
    public var scopes: [String]
    public var state: String?
    public var nonce: String?
    public var codeChallenge: String?
    public var prompt: Set<Prompt>
    public var maxAge: Int?
    public var loginHint: String?
    /// An ID token naming who the client expects (§3.1.2.1), checked by the flow.
    public var idTokenHint: String?
    public var layout: OpenIDProviderLayout

    /// A refusal before the client and its redirect URI are trusted: an error page, never a
    /// redirect (RFC 6749 §4.1.2.1; RFC 9700 §4.1.1 open redirection).
    public struct Untrusted: Error, Sendable, Equatable {
        public let message: String
    }

    /// A refusal the client hears on its redirect URI.
    public struct Refused: Error, Sendable, Equatable {
        public let error: OAuthError
        public let client: ServiceProvider
        public let redirectURI: String
        public let state: String?
    }

    /// Reads and validates `parameters` for `layout`. `lookUp` finds the client by `client_id`.
    public static func read(_ parameters: OAuthParameters, layout: OpenIDProviderLayout,
                            lookUp: (String) async throws -> ServiceProvider?) async throws -> OIDCAuthorizationRequest {
        guard !parameters.malformed else { throw Untrusted(message: "The sign-in request's parameters are not valid form encoding, or are too large.") }
        guard let clientID = parameters["client_id"], clientID.utf8.count <= 256 else {
            throw Untrusted(message: "The sign-in request does not name a client (client_id).")
        }
        guard !parameters.repeated.contains("client_id"), !parameters.repeated.contains("redirect_uri") else {
            throw Untrusted(message: "The sign-in request repeats client_id or redirect_uri (RFC 6749 §3.1).")
        }
        guard let client = try await lookUp(clientID), layout.admits(client), let settings = client.oidc else {
            throw Untrusted(message: "The application that sent you here is not registered with this store.")
        }
        // OpenID Connect Core 1.0 §3.1.2.1: redirect_uri is required and matches a registered one
        // exactly (RFC 9700 §4.1.3).
        guard let redirectURI = parameters["redirect_uri"], settings.redirectURIs.contains(redirectURI) else {
            throw Untrusted(message: "\(client.name) asked to return you to an address it has not registered.")
        }
        let state = parameters["state"]
        if let state, state.utf8.count > maximumStateBytes {
            throw Untrusted(message: "The sign-in request's state is longer than \(maximumStateBytes) bytes.")
        }
        func refuse(_ code: OAuthError.Code, _ message: String) -> Refused {
            Refused(error: OAuthError(code, message), client: client, redirectURI: redirectURI, state: state)
        }
        if let name = parameters.repeated.sorted().first { throw refuse(.invalidRequest, "the parameter \(name.prefix(40)) is repeated") }
        // OpenID Connect Core 1.0 §6: request objects are not supported.
        if parameters["request"] != nil { throw refuse(.requestNotSupported, "request objects are not supported") }
        if parameters["request_uri"] != nil { throw refuse(.requestURINotSupported, "request_uri is not supported") }
        guard let responseType = parameters["response_type"] else { throw refuse(.invalidRequest, "response_type is missing") }
        // Only the authorization code flow (OpenID Connect Core 1.0 §3.1; RFC 9700 §2.1.2: no implicit).
        guard responseType == "code" else { throw refuse(.unsupportedResponseType, "only response_type=code is supported") }
        if let mode = parameters["response_mode"], mode != "query" { throw refuse(.invalidRequest, "only response_mode=query is supported") }
        let scopes = (parameters["scope"] ?? "").split(separator: " ").map(String.init)
        guard scopes.contains(OpenIDScope.openid) else { throw refuse(.invalidScope, "the scope must include openid") }
        guard scopes.count <= 32, (parameters["scope"] ?? "").utf8.count <= 1024 else { throw refuse(.invalidScope, "too many scopes") }

        // RFC 7636 §4.3; RFC 9700 §2.1.1: S256 only; public clients must use it.
        let challenge = parameters["code_challenge"]
        let method = parameters["code_challenge_method"]
        if let challenge {
            guard (method ?? "plain") == "S256" else { throw refuse(.invalidRequest, "code_challenge_method must be S256; plain is not accepted") }
            guard ProofKey.isValidChallenge(challenge) else { throw refuse(.invalidRequest, "code_challenge is not a S256 challenge (43 base64url characters)") }
        } else {
            guard method == nil else { throw refuse(.invalidRequest, "code_challenge_method without code_challenge") }
            guard !settings.isPublic else { throw refuse(.invalidRequest, "a public client must send a PKCE code_challenge (S256)") }
        }

        var prompt: Set<Prompt> = []
        for value in (parameters["prompt"] ?? "").split(separator: " ") {
            guard let known = Prompt(rawValue: String(value)) else { throw refuse(.invalidRequest, "unknown prompt value") }
            prompt.insert(known)
        }
        // OpenID Connect Core 1.0 §3.1.2.1: none with any other value is an error.
        if prompt.contains(.none), prompt.count > 1 { throw refuse(.invalidRequest, "prompt=none cannot be combined with other values") }
        var maxAge: Int?
        if let text = parameters["max_age"] {
            guard text.utf8.count <= 12, let value = Int(text), value >= 0 else { throw refuse(.invalidRequest, "max_age must be a non-negative integer") }
            maxAge = min(value, maximumMaxAge)
        }
        let nonce = parameters["nonce"]
        if let nonce, nonce.utf8.count > maximumNonceBytes { throw refuse(.invalidRequest, "nonce is longer than \(maximumNonceBytes) bytes") }
        if let hint = parameters["id_token_hint"], hint.utf8.count > maximumIDTokenHintBytes { throw refuse(.invalidRequest, "id_token_hint is too long") }
        for name in ["login_hint", "ui_locales", "display", "acr_values", "claims_locales"] {
            if let value = parameters[name], value.utf8.count > maximumHintBytes { throw refuse(.invalidRequest, "\(name) is too long") }
        }
        if let display = parameters["display"], !["page", "popup", "touch", "wap"].contains(display) {
            throw refuse(.invalidRequest, "unknown display value")
        }
        return OIDCAuthorizationRequest(providerSlug: client.slug, clientID: clientID, redirectURI: redirectURI, scopes: scopes,
                                        state: state, nonce: nonce, codeChallenge: challenge, prompt: prompt, maxAge: maxAge,
                                        loginHint: parameters["login_hint"], idTokenHint: parameters["id_token_hint"], layout: layout)
    }
}

/// An authorization request kept across the login it waits for.
public struct PendingAuthorization: Sendable, Equatable, Codable {
    public let request: OIDCAuthorizationRequest
    public let receivedAt: Date

    public init(request: OIDCAuthorizationRequest, receivedAt: Date) {
        self.request = request
        self.receivedAt = receivedAt
    }
}
