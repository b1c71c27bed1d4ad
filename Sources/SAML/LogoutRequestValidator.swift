import Foundation
import StoreIdPCore
import XMLSecurity

/// Decides whether to honour a LogoutRequest from a service provider
/// (saml-core §3.7.3, saml-profiles §4.4.4.1), with the same binding rules as
/// ``AuthnRequestValidator``: Issuer registered for SAML; the signature checked
/// when the SP has signing certificates and the request is signed, and
/// required when the SP wants signed requests (or ``requireSignedRequests``);
/// Destination = our SLO URL (always when signed); IssueInstant within skew;
/// NotOnOrAfter not passed.
///
/// ```swift
/// let logout = try LogoutRequestValidator(identityProvider: idp).validate(message, now: now) { providers[$0] }
/// ```
public struct LogoutRequestValidator: Sendable {
    public var identityProvider: IdentityProvider
    public var allowedClockSkew: TimeInterval
    public var requireSignedRequests: Bool
    public var certificateCache: SAMLCertificateCache?

    public init(identityProvider: IdentityProvider, allowedClockSkew: TimeInterval = 180,
                requireSignedRequests: Bool = false, certificateCache: SAMLCertificateCache? = nil) {
        self.identityProvider = identityProvider
        self.allowedClockSkew = allowedClockSkew
        self.requireSignedRequests = requireSignedRequests
        self.certificateCache = certificateCache
    }

    public func validate(
        _ message: SAMLInboundMessage,
        now: Date,
        serviceProvider lookup: (_ issuer: String) -> ServiceProvider?
    ) throws(SAMLRequestError) -> ValidatedLogoutRequest {
        let request = try Self.read(message)
        return try validate(message, request: request, serviceProvider: request.issuer.flatMap(lookup), now: now)
    }

    /// The LogoutRequest of a decoded message, read once (its Issuer names the provider to look up).
    public static func read(_ message: SAMLInboundMessage) throws(SAMLRequestError) -> LogoutRequest {
        if message.parameter != .request { throw .unexpectedMessage(expected: "SAMLRequest", found: "SAMLResponse") }
        return try LogoutRequest(element: message.root)
    }

    /// Validates a request already read from `message`; `provider` is the one registered with its
    /// Issuer (nil when none is).
    public func validate(
        _ message: SAMLInboundMessage,
        request: LogoutRequest,
        serviceProvider provider: ServiceProvider?,
        now: Date
    ) throws(SAMLRequestError) -> ValidatedLogoutRequest {
        guard let issuer = request.issuer else { throw .missingIssuer }
        guard let provider, provider.saml?.entityID == issuer || provider.protocolKind != .saml else { throw .unknownIssuer(String(issuer.prefix(200))) }
        guard let settings = provider.saml else { throw .issuerNotSAML(issuer) }
        let verified = try SAMLRequestSignature.check(message, element: message.root, settings: settings,
                                                      required: settings.wantAuthnRequestsSigned || requireSignedRequests,
                                                      cache: certificateCache)
        try SAMLRequestSignature.checkDestination(request.destination, expected: identityProvider.singleLogoutServiceURL,
                                                  signed: verified)
        try SAMLRequestSignature.checkIssueInstant(request.issueInstant, text: request.issueInstantText,
                                                   now: now, skew: allowedClockSkew)
        if let notOnOrAfter = request.notOnOrAfter, notOnOrAfter.addingTimeInterval(allowedClockSkew) <= now {
            throw .expired(request.notOnOrAfterText ?? "NotOnOrAfter")
        }
        guard !request.nameID.value.isEmpty else { throw .missingElement("saml:NameID value") }
        return ValidatedLogoutRequest(request: request, serviceProvider: provider, binding: message.binding,
                                      relayState: message.relayState, signatureVerified: verified)
    }
}
