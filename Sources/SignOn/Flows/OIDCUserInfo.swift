import Foundation
import JWTSSO
import StoreIdPCore

/// The UserInfo endpoint (OpenID Connect Core 1.0 §5.3): a bearer access token (RFC 6750 §2.1)
/// that StoreIdP issued under this layout, for this endpoint, not expired, whose grant was not
/// revoked, answers `sub` and the claims of its scopes. Any failure is `invalid_token` in a
/// `WWW-Authenticate` header (RFC 6750 §3.1).
public struct OIDCUserInfo: Sendable {
    public let context: SignOnContext

    public init(context: SignOnContext) { self.context = context }

    /// The claims, in order: `sub` first.
    public func claims(accessToken: String, layout: OpenIDProviderLayout) async throws -> ClaimSet {
        let endpoints = layout.endpoints(base: context.issuer)
        let claims: [String: Any]
        do {
            claims = try context.ownTokens.verify(accessToken, type: OpenIDTokenSigner.accessTokenType, keyRing: try context.keys.current())
        } catch let rejection as OwnTokenVerifier.Rejection {
            throw OAuthError(.invalidToken, rejection.description)
        }
        // RFC 9068 §4: the issuer, the audience (this endpoint) and the expiry.
        guard claims["iss"] as? String == endpoints.issuer else { throw OAuthError(.invalidToken, "the token was issued by another issuer") }
        guard claims["aud"] as? String == endpoints.userInfo else { throw OAuthError(.invalidToken, "the token is not meant for this endpoint") }
        guard let exp = claims["exp"] as? Int, Double(exp) > context.now.timeIntervalSince1970 else { throw OAuthError(.invalidToken, "the token has expired") }
        guard let clientID = claims["client_id"] as? String, let grantID = claims["gid"] as? String, let sub = claims["sub"] as? String,
              let scope = claims["scope"] as? String else { throw OAuthError(.invalidToken, "the token lacks a claim") }
        guard let client = try await context.providers.provider(oidcClientID: clientID), layout.admits(client) else {
            throw OAuthError(.invalidToken, "the token belongs to a client that is not served here")
        }
        guard let grant = try await context.oidcGrants.grant(id: grantID), !grant.revoked, grant.clientID == clientID else {
            throw OAuthError(.invalidToken, "the token has been revoked")
        }
        let scopes = scope.split(separator: " ").map(String.init)
        guard scopes.contains(OpenIDScope.openid) else { throw OAuthError(.insufficientScope, "the token was not granted the openid scope") }
        guard let customer = try await context.customers.customer(id: grant.customerID), customer.isActive,
              client.access.decision(for: customer).allowed else { throw OAuthError(.invalidToken, "the customer's account no longer gives access") }
        // OpenID Connect Core 1.0 §5.3.2: sub must be the ID token's, which is the grant's.
        guard grant.subject == sub else {
            throw OAuthError(.invalidToken, "the token's subject does not match its grant")
        }
        var answer = ClaimSet([("sub", .string(sub))])
        do {
            let payload = try context.payloads.payload(customer: customer, provider: client, now: context.now, authTime: grant.authTime)
            for (name, value) in OpenIDScope.releasedClaims(payload, scopes: scopes, everyMappedClaim: layout.releasesEveryMappedClaim) {
                answer.set(name, value)
            }
        } catch is ProvisioningPayload.MissingRequiredValue {
            throw OAuthError(.invalidToken, "the customer's store account lacks a value this application requires")
        }
        return answer
    }
}
