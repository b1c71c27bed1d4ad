import StoreIdPCore

/// A LogoutRequest that passed ``LogoutRequestValidator``. The server must
/// still check that NameID/SessionIndex name a session it issued to this SP
/// before ending it (saml-profiles §4.4.4.1), and record the ID against replay.
public struct ValidatedLogoutRequest: Sendable, Hashable {
    public let request: LogoutRequest
    public let serviceProvider: ServiceProvider
    public let binding: SAMLBinding
    public let relayState: String?
    public let signatureVerified: Bool
}
