import Foundation

/// A registered partner service: what it is called, which protocol it speaks, who may use it,
/// and what it receives about a customer.
public struct ServiceProvider: Sendable, Hashable, Codable {
    public enum ProtocolKind: String, Sendable, Hashable, Codable, CaseIterable {
        case saml, jwt, bigcommerce, oidc
    }

    /// Lifetimes are bounded: a signed assertion or token is a bearer credential, and a partner
    /// that asks for an hour is better served by its own session (saml-profiles §4.1.4.2 leaves
    /// the window to the IdP; RFC 8725 §3.10 asks for short-lived tokens).
    public static let lifetimeRange: ClosedRange<Int> = 30...3600
    public static let defaultLifetime = 300

    /// The URL name: `/sso/{slug}`.
    public var slug: String
    public var name: String
    public var description: String?
    public var logoURL: String?
    public var protocolKind: ProtocolKind
    /// Seconds an assertion or token is valid.
    public var lifetimeSeconds: Int
    /// The audience; nil means the protocol's default (SAML: the entity ID).
    public var audience: String?
    public var access: AccessPolicy
    public var attributes: AttributeMapping
    /// Where error pages send the customer back to the store.
    public var storefrontReturnURL: String?
    public var saml: SAMLSettings?
    public var jwt: JWTSettings?
    public var bigcommerce: BigCommerceSettings?

    public init(slug: String, name: String, protocolKind: ProtocolKind, lifetimeSeconds: Int = ServiceProvider.defaultLifetime,
                audience: String? = nil, access: AccessPolicy = AccessPolicy(), attributes: AttributeMapping = .standard,
                description: String? = nil, logoURL: String? = nil, storefrontReturnURL: String? = nil, saml: SAMLSettings? = nil) {
        self.slug = slug
        self.name = name
        self.protocolKind = protocolKind
        self.lifetimeSeconds = lifetimeSeconds
        self.audience = audience
        self.access = access
        self.attributes = attributes
        self.description = description
        self.logoURL = logoURL
        self.storefrontReturnURL = storefrontReturnURL
        self.saml = saml
    }

    /// The identifier pairwise ids are derived from: the SAML entity ID when there is one, so
    /// re-registering a partner under another slug keeps its customers' ids.
    public var pairwiseSubject: String { saml?.entityID ?? slug }

    /// The audience partners check: the configured one, else the protocol's default (SAML: the
    /// entity ID; JWT: the redirect URL's origin; BigCommerce: the store hash is in the token).
    public var effectiveAudience: String {
        if let audience { return audience }
        if let saml { return saml.entityID }
        if let jwt { return jwt.defaultAudience }
        return slug
    }
}
