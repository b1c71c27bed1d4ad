/// StoreIdP as a SAML identity provider: the names and endpoints partners
/// learn from its metadata (saml-metadata §2.4.3 IDPSSODescriptor).
///
/// ```swift
/// let idp = IdentityProvider(baseURL: "https://id.store.example")
/// idp.entityID                 // https://id.store.example/saml/metadata
/// ```
public struct IdentityProvider: Sendable, Hashable {
    /// Our entity ID: the metadata URL, so that the ID is also where to learn about us
    /// (saml-metadata §4.1 "well-known location" convention).
    public var entityID: String
    /// Where AuthnRequests arrive, HTTP-Redirect and HTTP-POST (saml-profiles §4.1.3.2).
    public var singleSignOnServiceURL: String
    /// Where LogoutRequests and LogoutResponses arrive (saml-profiles §4.4.3).
    public var singleLogoutServiceURL: String

    public init(entityID: String, singleSignOnServiceURL: String, singleLogoutServiceURL: String) {
        self.entityID = entityID
        self.singleSignOnServiceURL = singleSignOnServiceURL
        self.singleLogoutServiceURL = singleLogoutServiceURL
    }

    /// The endpoints under a base URL, as the server routes them
    /// (`/saml/metadata`, `/saml/sso`, `/saml/slo`).
    public init(baseURL: String) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.init(entityID: base + "/saml/metadata",
                  singleSignOnServiceURL: base + "/saml/sso",
                  singleLogoutServiceURL: base + "/saml/slo")
    }
}
