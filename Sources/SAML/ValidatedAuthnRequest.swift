import StoreIdPCore

/// An AuthnRequest that passed ``AuthnRequestValidator``: who asked, where to
/// answer, and what the answer must say.
public struct ValidatedAuthnRequest: Sendable, Hashable, Codable {
    public let request: AuthnRequest
    public let serviceProvider: ServiceProvider
    /// The registered HTTP-POST ACS to answer (saml-profiles §4.1.4.5).
    public let assertionConsumerService: ServiceProvider.SAMLSettings.Endpoint
    public let binding: SAMLBinding
    /// Echo unchanged (saml-bindings §3.4.3).
    public let relayState: String?
    /// A signature was present and verified with a registered certificate.
    public let signatureVerified: Bool
    /// The AuthnContextClassRef the assertion must carry to satisfy RequestedAuthnContext.
    public let authnContextClassRef: String

    /// The request ID to put in InResponseTo, and to record for replay detection.
    public var requestID: String { request.id }
    /// Re-authenticate even with a session (saml-core §3.4.1 ForceAuthn).
    public var forceAuthn: Bool { request.forceAuthn }
    /// Do not show a login page; answer NoPassive when there is no session (saml-core §3.4.1 IsPassive).
    public var isPassive: Bool { request.isPassive }
}
