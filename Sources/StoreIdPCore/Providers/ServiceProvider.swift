import Foundation

/// A registered partner service: what it is called, which protocol it speaks, who may use it,
/// and what it receives about a customer.
public struct ServiceProvider: Sendable, Hashable {
    public enum ProtocolKind: String, Sendable, Hashable, Codable, CaseIterable {
        case saml, jwt, bigcommerce, oidc
    }

    /// The protocol a partner speaks, with the settings registration validated for it. One value,
    /// so a registered provider is never half one protocol and half another, and code that answers
    /// it switches once instead of re-checking optionals.
    public enum ProtocolSettings: Sendable, Hashable {
        case saml(SAMLSettings)
        case jwt(JWTSettings)
        case bigcommerce(BigCommerceSettings)
        case oidc(OIDCSettings)

        public var kind: ProtocolKind {
            switch self {
            case .saml: return .saml
            case .jwt: return .jwt
            case .bigcommerce: return .bigcommerce
            case .oidc: return .oidc
            }
        }
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
    public var settings: ProtocolSettings
    /// Seconds an assertion or token is valid.
    public var lifetimeSeconds: Int
    /// The audience; nil means the protocol's default (SAML: the entity ID).
    public var audience: String?
    public var access: AccessPolicy
    public var attributes: AttributeMapping
    /// Where error pages send the customer back to the store.
    public var storefrontReturnURL: String?

    public init(slug: String, name: String, settings: ProtocolSettings, lifetimeSeconds: Int = ServiceProvider.defaultLifetime,
                audience: String? = nil, access: AccessPolicy = AccessPolicy(), attributes: AttributeMapping = .standard,
                description: String? = nil, logoURL: String? = nil, storefrontReturnURL: String? = nil) {
        self.slug = slug
        self.name = name
        self.settings = settings
        self.lifetimeSeconds = lifetimeSeconds
        self.audience = audience
        self.access = access
        self.attributes = attributes
        self.description = description
        self.logoURL = logoURL
        self.storefrontReturnURL = storefrontReturnURL
    }

    public var protocolKind: ProtocolKind { settings.kind }

    /// The SAML settings, when this is a SAML partner.
    public var saml: SAMLSettings? {
        if case let .saml(settings) = settings { return settings }
        return nil
    }

    /// The JWT settings, when this is a JWT partner.
    public var jwt: JWTSettings? {
        if case let .jwt(settings) = settings { return settings }
        return nil
    }

    /// The BigCommerce settings, when this is a BigCommerce storefront.
    public var bigcommerce: BigCommerceSettings? {
        if case let .bigcommerce(settings) = settings { return settings }
        return nil
    }

    /// The OpenID Connect settings, when this is an OIDC client.
    public var oidc: OIDCSettings? {
        if case let .oidc(settings) = settings { return settings }
        return nil
    }

    /// The identifier pairwise ids are derived from: the SAML entity ID or the OIDC client id
    /// when there is one, so re-registering a partner under another slug keeps its customers' ids.
    public var pairwiseSubject: String { saml?.entityID ?? oidc.map { "oidc:" + $0.clientID } ?? slug }

    /// The audience partners check: the configured one, else the protocol's default (SAML: the
    /// entity ID; JWT: the redirect URL's origin; BigCommerce: the store hash is in the token).
    public var effectiveAudience: String {
        if let audience { return audience }
        switch settings {
        case let .saml(saml): return saml.entityID
        case let .jwt(jwt): return jwt.defaultAudience
        case .bigcommerce: return slug
        // OpenID Connect Core 1.0 §2: the ID token's aud holds the client id.
        case let .oidc(oidc): return oidc.clientID
        }
    }
}

/// The stored form keeps the shape earlier versions wrote (`protocolKind` beside one of `saml`,
/// `jwt`, `bigcommerce`), so rows written before the settings became one value still read.
extension ServiceProvider: Codable {
    private enum CodingKeys: String, CodingKey {
        case slug, name, description, logoURL, protocolKind, lifetimeSeconds, audience, access, attributes, storefrontReturnURL
        case saml, jwt, bigcommerce, oidc
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(ProtocolKind.self, forKey: .protocolKind)
        switch kind {
        case .saml: settings = .saml(try container.decode(SAMLSettings.self, forKey: .saml))
        case .jwt: settings = .jwt(try container.decode(JWTSettings.self, forKey: .jwt))
        case .bigcommerce: settings = .bigcommerce(try container.decode(BigCommerceSettings.self, forKey: .bigcommerce))
        case .oidc: settings = .oidc(try container.decode(OIDCSettings.self, forKey: .oidc))
        }
        slug = try container.decode(String.self, forKey: .slug)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        logoURL = try container.decodeIfPresent(String.self, forKey: .logoURL)
        lifetimeSeconds = try container.decode(Int.self, forKey: .lifetimeSeconds)
        audience = try container.decodeIfPresent(String.self, forKey: .audience)
        access = try container.decode(AccessPolicy.self, forKey: .access)
        attributes = try container.decode(AttributeMapping.self, forKey: .attributes)
        storefrontReturnURL = try container.decodeIfPresent(String.self, forKey: .storefrontReturnURL)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(slug, forKey: .slug)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(description, forKey: .description)
        try container.encodeIfPresent(logoURL, forKey: .logoURL)
        try container.encode(protocolKind, forKey: .protocolKind)
        try container.encode(lifetimeSeconds, forKey: .lifetimeSeconds)
        try container.encodeIfPresent(audience, forKey: .audience)
        try container.encode(access, forKey: .access)
        try container.encode(attributes, forKey: .attributes)
        try container.encodeIfPresent(storefrontReturnURL, forKey: .storefrontReturnURL)
        switch settings {
        case let .saml(settings): try container.encode(settings, forKey: .saml)
        case let .jwt(settings): try container.encode(settings, forKey: .jwt)
        case let .bigcommerce(settings): try container.encode(settings, forKey: .bigcommerce)
        case let .oidc(settings): try container.encode(settings, forKey: .oidc)
        }
    }
}
