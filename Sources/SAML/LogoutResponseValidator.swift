import Foundation
import StoreIdPCore
import XMLSecurity

/// Decides whether a LogoutResponse is the authentic answer to a LogoutRequest StoreIdP sent
/// (saml-core §3.7.2; saml-profiles §4.4.4.2: "The <LogoutResponse> message MUST be signed or
/// otherwise authenticated and integrity protected by the protocol binding"). Issuer = the
/// partner asked; a signature (enveloped for HTTP-POST, over the query for HTTP-Redirect) that
/// verifies with that partner's registered certificate; Destination = our SLO URL; IssueInstant
/// within skew; InResponseTo = the request's ID.
///
/// ```swift
/// let response = try LogoutResponseValidator.read(message)
/// let status = try LogoutResponseValidator(identityProvider: idp).validate(message, response: response,
///     serviceProvider: partner, inResponseTo: sentID, now: now)
/// ```
public struct LogoutResponseValidator: Sendable {
    public var identityProvider: IdentityProvider
    public var allowedClockSkew: TimeInterval
    public var certificateCache: SAMLCertificateCache?

    public init(identityProvider: IdentityProvider, allowedClockSkew: TimeInterval = 180, certificateCache: SAMLCertificateCache? = nil) {
        self.identityProvider = identityProvider
        self.allowedClockSkew = allowedClockSkew
        self.certificateCache = certificateCache
    }

    /// The LogoutResponse of a decoded message.
    public static func read(_ message: SAMLInboundMessage) throws(SAMLRequestError) -> LogoutResponse {
        if message.parameter != .response { throw .unexpectedMessage(expected: "SAMLResponse", found: "SAMLRequest") }
        return try LogoutResponse(element: message.root)
    }

    /// The partner's status, once every check has passed.
    public func validate(
        _ message: SAMLInboundMessage,
        response: LogoutResponse,
        serviceProvider: ServiceProvider,
        inResponseTo requestID: String,
        now: Date
    ) throws(SAMLRequestError) -> SAMLStatusCode {
        guard let settings = serviceProvider.saml else { throw .issuerNotSAML(serviceProvider.slug) }
        guard let issuer = response.issuer else { throw .missingIssuer }
        guard issuer == settings.entityID else { throw .unknownIssuer(String(issuer.prefix(200))) }
        let verified = try SAMLRequestSignature.check(message, element: message.root, settings: settings, required: true,
                                                      cache: certificateCache)
        try SAMLRequestSignature.checkDestination(response.destination, expected: identityProvider.singleLogoutServiceURL,
                                                  signed: verified)
        try SAMLRequestSignature.checkIssueInstant(response.issueInstant, text: response.issueInstantText, now: now, skew: allowedClockSkew)
        guard response.inResponseTo == requestID else {
            throw .invalidAttribute(element: "samlp:LogoutResponse", attribute: "InResponseTo",
                                    value: String((response.inResponseTo ?? "(none)").prefix(80)))
        }
        return response.statusCode
    }
}
