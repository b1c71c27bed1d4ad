import Foundation
import JWTSSO
import StoreIdPCore

/// The token endpoint (RFC 6749 §3.2, §4.1.3, §6; OpenID Connect Core 1.0 §3.1.3): client
/// authentication, the code exchange with PKCE (RFC 7636 §4.6), refresh-token rotation
/// (RFC 9700 §4.14.2), and the tokens: an ID token (OpenID Connect Core 1.0 §2) and a JWT access
/// token (RFC 9068).
public struct OIDCTokenExchange: Sendable {
    /// How the client presented itself (RFC 6749 §2.3.1).
    public struct ClientCredentials: Sendable, Equatable {
        public let clientID: String
        public let secret: String
        public init(clientID: String, secret: String) {
            self.clientID = clientID
            self.secret = secret
        }

        /// RFC 6749 §2.3.1: `Basic base64(form-urlencoded id ":" form-urlencoded secret)`; any
        /// other scheme or a malformed value is `invalid_client`.
        public init(authorizationHeader header: String) throws(OAuthError) {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "basic" else {
                throw OAuthError(.invalidClient, "only HTTP Basic client authentication is accepted in the Authorization header")
            }
            guard parts[1].utf8.count <= 4096, let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces))
                .flatMap({ String(data: $0, encoding: .utf8) }), let colon = decoded.firstIndex(of: ":") else {
                throw OAuthError(.invalidClient, "the Basic credentials are malformed")
            }
            // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
            guard let id = OAuthParameters.decode(decoded[..<colon]), let secret = OAuthParameters.decode(decoded[decoded.index(after: colon)...]),
                  !id.isEmpty else {
                throw OAuthError(.invalidClient, "the Basic credentials are malformed")
            }
            self.init(clientID: id, secret: secret)
        }
    }

    /// The answer of RFC 6749 §5.1 with the ID token of OpenID Connect Core 1.0 §3.1.3.3.
    public struct TokenResponse: Sendable, Encodable, Equatable {
        public let access_token: String
        public let token_type = "Bearer"
        public let expires_in: Int
        public let id_token: String
        public let scope: String
        public let refresh_token: String?
    }

    public let context: SignOnContext

    public init(context: SignOnContext) { self.context = context }

    /// `parameters` is the form body; `basic` the HTTP Basic credentials, when sent.
    public func exchange(_ parameters: OAuthParameters, basic: ClientCredentials?, layout: OpenIDProviderLayout) async throws -> TokenResponse {
        guard !parameters.malformed else { throw OAuthError(.invalidRequest, "the body is not valid form encoding or is too large") }
        if let name = parameters.repeated.sorted().first { throw OAuthError(.invalidRequest, "the parameter \(name.prefix(40)) is repeated") }
        let (client, settings) = try await authenticate(parameters, basic: basic, layout: layout)
        switch parameters["grant_type"] {
        case "authorization_code":
            return try await redeemCode(parameters, client: client, settings: settings, layout: layout)
        case "refresh_token":
            return try await refresh(parameters, client: client, settings: settings, layout: layout)
        case nil:
            throw OAuthError(.invalidRequest, "grant_type is missing")
        default:
            throw OAuthError(.unsupportedGrantType, "grant_type must be authorization_code or refresh_token")
        }
    }

    /// RFC 6749 §2.3.1: client_secret_basic or client_secret_post (one, not both); a public client
    /// names itself with client_id and no secret (RFC 6749 §3.2.1, method `none`).
    private func authenticate(_ parameters: OAuthParameters, basic: ClientCredentials?,
                              layout: OpenIDProviderLayout) async throws -> (ServiceProvider, ServiceProvider.OIDCSettings) {
        let postedSecret = parameters["client_secret"]
        if basic != nil, postedSecret != nil { throw OAuthError(.invalidRequest, "use one client authentication method, not two") }
        if let basic, let posted = parameters["client_id"], posted != basic.clientID {
            throw OAuthError(.invalidRequest, "client_id differs from the authenticated client")
        }
        guard let clientID = basic?.clientID ?? parameters["client_id"], clientID.utf8.count <= 256 else {
            throw OAuthError(.invalidClient, "client authentication is missing")
        }
        guard let client = try await context.providers.provider(oidcClientID: clientID), layout.admits(client), let settings = client.oidc else {
            throw OAuthError(.invalidClient, "unknown client")
        }
        let presented = basic?.secret ?? postedSecret
        if let reference = settings.clientSecret {
            guard let presented, presented.utf8.count <= 1024 else { throw OAuthError(.invalidClient, "client authentication is missing") }
            guard let expected = try? reference.resolve(environment: context.environment),
                  ConstantTime.equals(presented, String(decoding: expected, as: UTF8.self)) else {
                try await context.record(.oidcError, provider: client.slug, detail: "invalid_client: wrong secret")
                throw OAuthError(.invalidClient, "client authentication failed")
            }
        } else if presented != nil {
            throw OAuthError(.invalidClient, "this client is public and has no secret")
        }
        return (client, settings)
    }

    private func redeemCode(_ parameters: OAuthParameters, client: ServiceProvider, settings: ServiceProvider.OIDCSettings,
                            layout: OpenIDProviderLayout) async throws -> TokenResponse {
        guard let code = parameters["code"], code.utf8.count <= 512 else { throw OAuthError(.invalidRequest, "code is missing") }
        guard let redirectURI = parameters["redirect_uri"] else { throw OAuthError(.invalidRequest, "redirect_uri is missing") }
        let now = context.now
        let grant: OIDCGrant
        switch try await context.oidcGrants.redeem(codeDigest: OpaqueTokenDigest.of(code), clientID: settings.clientID, now: now) {
        case .unknown:
            throw OAuthError(.invalidGrant, "the code is not valid")
        case let .reused(grantID):
            // RFC 6749 §4.1.2 and RFC 9700 §4.5: a code used twice revokes what its first use issued.
            try await revoke(grantID, provider: client.slug, reason: "authorization code used twice")
            throw OAuthError(.invalidGrant, "the code has already been used; the tokens issued for it are revoked")
        case let .redeemed(found):
            grant = found
        }
        // RFC 6749 §4.1.3: the code is bound to its client and redirect URI.
        guard grant.redirectURI == redirectURI else { throw OAuthError(.invalidGrant, "redirect_uri differs from the authorization request's") }
        guard grant.issuer == layout.endpoints(base: context.issuer).issuer else { throw OAuthError(.invalidGrant, "the code was issued by another issuer") }
        guard now <= grant.codeExpiresAt else { throw OAuthError(.invalidGrant, "the code has expired") }
        // RFC 7636 §4.6; RFC 9700 §2.1.1: a verifier without a challenge is a downgrade.
        let verifier = parameters["code_verifier"]
        if let challenge = grant.codeChallenge {
            guard let verifier else { throw OAuthError(.invalidGrant, "code_verifier is missing") }
            guard ProofKey.verifier(verifier, matches: challenge) else { throw OAuthError(.invalidGrant, "code_verifier does not match the code_challenge") }
        } else if verifier != nil {
            throw OAuthError(.invalidGrant, "code_verifier given but the authorization request had no code_challenge")
        }
        return try await issue(grant, client: client, settings: settings, layout: layout, includeNonce: true, kind: .oidcTokensIssued)
    }

    private func refresh(_ parameters: OAuthParameters, client: ServiceProvider, settings: ServiceProvider.OIDCSettings,
                         layout: OpenIDProviderLayout) async throws -> TokenResponse {
        guard let token = parameters["refresh_token"], token.utf8.count <= 512 else { throw OAuthError(.invalidRequest, "refresh_token is missing") }
        let now = context.now
        // Rotation marks the old token used: with no key to sign the new tokens, the client would
        // be left holding a spent token, so the key is checked first.
        guard try context.keys.current().active(settings.idTokenAlgorithm.signingKeyAlgorithm) != nil else {
            throw OAuthError(.temporarilyUnavailable, "no signing key of the client's algorithm is active")
        }
        var grant: OIDCGrant
        switch try await context.oidcGrants.rotate(refreshDigest: OpaqueTokenDigest.of(token), clientID: settings.clientID, now: now) {
        case .unknown:
            throw OAuthError(.invalidGrant, "the refresh token is not valid")
        case let .reused(grantID):
            // RFC 9700 §4.14.2: a rotated refresh token presented again revokes the whole family.
            try await revoke(grantID, provider: client.slug, reason: "refresh token used twice")
            throw OAuthError(.invalidGrant, "the refresh token has already been used; its family is revoked")
        case let .redeemed(found):
            grant = found
        }
        guard !grant.revoked, now < grant.expiresAt, settings.refreshTokens else { throw OAuthError(.invalidGrant, "the refresh token is no longer valid") }
        guard grant.issuer == layout.endpoints(base: context.issuer).issuer else { throw OAuthError(.invalidGrant, "the refresh token was issued by another issuer") }
        // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
        if let asked = parameters["scope"] {
            let scopes = asked.split(separator: " ").map(String.init)
            guard Set(scopes).isSubset(of: Set(grant.scopes)) else { throw OAuthError(.invalidScope, "the scope exceeds what was granted") }
            grant.scopes = grant.scopes.filter(scopes.contains)
        }
        return try await issue(grant, client: client, settings: settings, layout: layout, includeNonce: false, kind: .oidcTokensRefreshed)
    }

    private func revoke(_ grantID: String, provider: String, reason: String) async throws {
        try await context.oidcGrants.revoke(grantID: grantID, now: context.now)
        try await context.record(.oidcGrantRevoked, provider: provider, subject: grantID, detail: reason)
    }

    /// The ID token, the access token and, with `offline_access`, a new refresh token of the
    /// grant's family. The customer must still be active and allowed.
    private func issue(_ grant: OIDCGrant, client: ServiceProvider, settings: ServiceProvider.OIDCSettings, layout: OpenIDProviderLayout,
                       includeNonce: Bool, kind: AuditEvent.Kind) async throws -> TokenResponse {
        let now = context.now
        guard let customer = try await context.customers.customer(id: grant.customerID), customer.isActive,
              client.access.decision(for: customer).allowed else {
            throw OAuthError(.invalidGrant, "the customer's account no longer gives access to this application")
        }
        let payload: ProvisioningPayload
        do { payload = try context.payloads.payload(customer: customer, provider: client, now: now, authTime: grant.authTime) } catch is ProvisioningPayload.MissingRequiredValue {
            throw OAuthError(.invalidGrant, "the customer's store account lacks a value this application requires")
        }
        // The grant's own sub (OpenID Connect Core 1.0 §12.2): an email changed since does not
        // change what this client knows the customer as.
        let subject = grant.subject
        let endpoints = layout.endpoints(base: context.issuer)
        let issuedAt = Int(now.timeIntervalSince1970)
        let keyRing = try context.keys.current()
        let signer = OpenIDTokenSigner(keys: context.jwtKeys)
        let scope = grant.scopes.joined(separator: " ")

        // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; scope (§2.2.3); auth_time
        // (§2.2.1). `gid` names the grant, so revoking it ends this token at userinfo.
        let accessClaims = ClaimSet([
            ("iss", .string(endpoints.issuer)), ("sub", .string(subject)), ("aud", .string(endpoints.userInfo)),
            ("exp", .integer(issuedAt + settings.accessTokenLifetimeSeconds)), ("iat", .integer(issuedAt)),
            ("jti", .string(context.random.secret(byteCount: 16))), ("client_id", .string(settings.clientID)),
            ("scope", .string(scope)), ("auth_time", .integer(Int(grant.authTime.timeIntervalSince1970))), ("gid", .string(grant.id)),
        ])
        let accessToken: String
        let idToken: String
        do {
            accessToken = try await SignOnMetrics.timeSigning(.oidcTokens) {
                try await signer.sign(accessClaims, type: OpenIDTokenSigner.accessTokenType, algorithm: settings.idTokenAlgorithm, keyRing: keyRing)
            }
            // OpenID Connect Core 1.0 §2 and §3.1.3.6; §12.2: a refreshed ID token keeps iss, sub,
            // aud and auth_time, and carries no nonce.
            var idClaims = ClaimSet([
                ("iss", .string(endpoints.issuer)), ("sub", .string(subject)), ("aud", .string(settings.clientID)),
                ("exp", .integer(issuedAt + client.lifetimeSeconds)), ("iat", .integer(issuedAt)),
                ("auth_time", .integer(Int(grant.authTime.timeIntervalSince1970))),
            ])
            if includeNonce, let nonce = grant.nonce { idClaims.set("nonce", .string(nonce)) }
            idClaims.set("at_hash", .string(OpenIDTokenSigner.accessTokenHash(accessToken)))
            for (name, value) in OpenIDScope.releasedClaims(payload, scopes: grant.scopes, everyMappedClaim: layout.releasesEveryMappedClaim) {
                idClaims.set(name, value)
            }
            let signedClaims = idClaims
            idToken = try await SignOnMetrics.timeSigning(.oidcTokens) {
                try await signer.sign(signedClaims, type: OpenIDTokenSigner.idTokenType, algorithm: settings.idTokenAlgorithm, keyRing: keyRing)
            }
        } catch is JWTIssueError {
            throw OAuthError(.temporarilyUnavailable, "no signing key of the client's algorithm is active")
        }
        var refreshToken: String?
        if grant.scopes.contains(OpenIDScope.offlineAccess), settings.refreshTokens {
            let token = context.random.secret(byteCount: 32)
            try await context.oidcGrants.addRefreshToken(digest: OpaqueTokenDigest.of(token), grantID: grant.id, expiresAt: grant.expiresAt)
            refreshToken = token
        }
        try await context.record(kind, provider: client.slug, customer: customer.id, subject: grant.id,
                                 detail: "scope \(scope)" + (refreshToken == nil ? "" : ", refresh token"))
        return TokenResponse(access_token: accessToken, expires_in: settings.accessTokenLifetimeSeconds, id_token: idToken, scope: scope,
                             refresh_token: refreshToken)
    }
}

/// The `sub` a client sees (OpenID Connect Core 1.0 §8): pairwise, the email, or the customer id.
public enum OIDCSubject {
    public static func of(_ customer: Customer, provider: ServiceProvider, settings: ServiceProvider.OIDCSettings,
                          payloads: PayloadFactory) throws -> String {
        switch settings.subject {
        case .pairwise: return try payloads.pairwiseID(customer: customer, provider: provider)
        case .email: return customer.email.value
        case .customerID: return customer.id.uuidString.lowercased()
        }
    }
}
