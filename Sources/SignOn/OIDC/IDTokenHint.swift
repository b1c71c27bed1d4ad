import Foundation
import JWTSSO
import StoreIdPCore

/// An `id_token_hint` (OpenID Connect Core 1.0 §3.1.2.1; RP-Initiated Logout 1.0 §2): an ID
/// token this provider issued under this layout's issuer, returned by its client. Only an ID
/// token is accepted: `typ: JWT` with an `at_hash` (every ID token StoreIdP issues has one) and
/// without an access token's `client_id`/`gid`, so neither an access token nor a partner's JWT
/// (the same keys and issuer, RFC 8725 §3.12) can stand in for one. An expired hint still names
/// its session.
public struct IDTokenHint: Sendable, Equatable {
    public let clientID: String
    public let subject: String

    public struct Invalid: Error, Sendable {}

    public static func read(_ token: String, layout: OpenIDProviderLayout, context: SignOnContext) throws -> IDTokenHint {
        let claims: [String: Any]
        do {
            claims = try context.ownTokens.verify(token, type: OpenIDTokenSigner.idTokenType, keyRing: try context.keys.current())
        } catch is OwnTokenVerifier.Rejection {
            throw Invalid()
        }
        guard claims["iss"] as? String == layout.endpoints(base: context.issuer).issuer, claims["at_hash"] is String,
              claims["client_id"] == nil, claims["gid"] == nil,
              let audience = claims["aud"] as? String, let subject = claims["sub"] as? String else { throw Invalid() }
        return IDTokenHint(clientID: audience, subject: subject)
    }
}
