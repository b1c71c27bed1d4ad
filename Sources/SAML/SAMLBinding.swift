import StoreIdPCore

/// A SAML binding (saml-bindings §3.4 HTTP-Redirect, §3.5 HTTP-POST). The same
/// type the service provider settings use, so endpoints compare directly.
public typealias SAMLBinding = ServiceProvider.SAMLSettings.Binding

/// The binding URIs (saml-bindings §3.4.1, §3.5.1) as plain constants.
public enum SAMLBindingURI {
    public static let httpRedirect = SAMLBinding.httpRedirect.rawValue
    public static let httpPOST = SAMLBinding.httpPOST.rawValue
    /// Recognised so it can be refused by name: StoreIdP does not resolve artifacts.
    public static let httpArtifact = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"
}

/// The form or query parameter that carries a SAML message (saml-bindings
/// §3.4.4.1, §3.5.4): `SAMLRequest` for requests, `SAMLResponse` for responses.
public enum SAMLMessageParameter: String, Sendable, Hashable {
    case request = "SAMLRequest"
    case response = "SAMLResponse"
}
