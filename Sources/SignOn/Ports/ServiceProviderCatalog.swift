import StoreIdPCore

/// The registered service providers, as the flows look them up.
public protocol ServiceProviderCatalog: Sendable {
    /// The provider at `/sso/{slug}`.
    func provider(slug: String) async throws -> ServiceProvider?
    /// The SAML provider with this entity ID (saml-core §2.2.5 Issuer).
    func provider(entityID: String) async throws -> ServiceProvider?
    /// The OpenID Connect client with this `client_id` (RFC 6749 §2.2).
    func provider(oidcClientID: String) async throws -> ServiceProvider?
}
