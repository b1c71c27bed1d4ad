import Foundation
import StoreIdPCore
import XMLSecurity

/// Decides whether to honour an AuthnRequest (saml-profiles §4.1.4.1) and
/// where to send the answer.
///
/// Checks, in order; the first five happen before the ACS is trusted, so a
/// failure there means an error page (``AuthnRequestRejection/showsErrorPage``):
/// 1. shape (saml-core §3.4.1) and Issuer registered for SAML;
/// 2. signature: required when the SP wants signed requests or
///    ``requireSignedRequests``; when present, verified with the SP's
///    certificates (HTTP-Redirect: over the query, §3.4.4.1; HTTP-POST: the
///    enveloped signature of the AuthnRequest element itself, which defeats
///    signature wrapping);
/// 3. Destination = our SSO URL (when present, and always when signed);
/// 4. IssueInstant within ± ``allowedClockSkew``;
/// 5. ACS: AssertionConsumerServiceURL equal to a registered HTTP-POST ACS,
///    or AssertionConsumerServiceIndex naming one, or the default.
/// Then, answered to the ACS with a SAML status: ProtocolBinding (HTTP-POST
/// only), NameIDPolicy Format, RequestedAuthnContext.
///
/// Replay (each request ID used once) is the server's job: it is checked
/// against the shared database, not here.
///
/// ```swift
/// let validator = AuthnRequestValidator(identityProvider: idp)
/// let request = try validator.validate(message, now: clock.now) { issuer in providers[issuer] }
/// ```
public struct AuthnRequestValidator: Sendable {
    public var identityProvider: IdentityProvider
    /// How far IssueInstant may be from now, either way (default 180 s).
    public var allowedClockSkew: TimeInterval
    /// Refuse unsigned AuthnRequests from every SP, not only those that want it.
    public var requireSignedRequests: Bool
    /// Parsed SP certificates shared across requests (optional).
    public var certificateCache: SAMLCertificateCache?

    public init(identityProvider: IdentityProvider, allowedClockSkew: TimeInterval = 180,
                requireSignedRequests: Bool = false, certificateCache: SAMLCertificateCache? = nil) {
        self.identityProvider = identityProvider
        self.allowedClockSkew = allowedClockSkew
        self.requireSignedRequests = requireSignedRequests
        self.certificateCache = certificateCache
    }

    /// Validates a decoded message; `lookup` returns the service provider
    /// registered with an entity ID.
    public func validate(
        _ message: SAMLInboundMessage,
        now: Date,
        serviceProvider lookup: (_ issuer: String) -> ServiceProvider?
    ) throws(AuthnRequestRejection) -> ValidatedAuthnRequest {
        let request: AuthnRequest
        do throws(SAMLRequestError) { request = try Self.read(message) } catch { throw AuthnRequestRejection(error: error) }
        return try validate(message, request: request, serviceProvider: request.issuer.flatMap(lookup), now: now)
    }

    /// The AuthnRequest of a decoded message, read once: its Issuer tells the caller which
    /// provider to look up (asynchronously, in its registry) before ``validate(_:request:serviceProvider:now:)``.
    public static func read(_ message: SAMLInboundMessage) throws(SAMLRequestError) -> AuthnRequest {
        if message.parameter != .request { throw .unexpectedMessage(expected: "SAMLRequest", found: "SAMLResponse") }
        return try AuthnRequest(element: message.root)
    }

    /// Validates a request already read from `message`; `found` is the provider registered with
    /// its Issuer (nil when none is).
    public func validate(
        _ message: SAMLInboundMessage,
        request: AuthnRequest,
        serviceProvider found: ServiceProvider?,
        now: Date
    ) throws(AuthnRequestRejection) -> ValidatedAuthnRequest {
        let provider: ServiceProvider
        let settings: ServiceProvider.SAMLSettings
        let verified: Bool
        let acs: ServiceProvider.SAMLSettings.Endpoint
        do throws(SAMLRequestError) {
            guard let issuer = request.issuer else { throw .missingIssuer }
            guard let found, found.saml?.entityID == issuer || found.protocolKind != .saml else { throw .unknownIssuer(String(issuer.prefix(200))) }
            guard let samlSettings = found.saml else { throw .issuerNotSAML(issuer) }
            provider = found
            settings = samlSettings
            verified = try SAMLRequestSignature.check(message, element: message.root, settings: settings,
                                                      required: settings.wantAuthnRequestsSigned || requireSignedRequests,
                                                      cache: certificateCache)
            try SAMLRequestSignature.checkDestination(request.destination, expected: identityProvider.singleSignOnServiceURL,
                                                      signed: verified)
            try SAMLRequestSignature.checkIssueInstant(request.issueInstant, text: request.issueInstantText,
                                                       now: now, skew: allowedClockSkew)
            acs = try Self.assertionConsumerService(for: request, settings: settings)
        } catch {
            throw AuthnRequestRejection(error: error)
        }

        // From here the ACS is trusted: errors are answered to it with a SAML status.
        let replyTo = AuthnRequestRejection.ReplyTo(serviceProvider: provider, acsURL: acs.url,
                                                    requestID: request.id, relayState: message.relayState)
        if let binding = request.protocolBinding, binding != SAMLBindingURI.httpPOST {
            throw AuthnRequestRejection(error: .unsupportedProtocolBinding(String(binding.prefix(200))), replyTo: replyTo)
        }
        if let format = request.nameIDPolicy?.format, !Self.canIssue(format: format, settings: settings) {
            throw AuthnRequestRejection(error: .unsupportedNameIDPolicy(String(format.prefix(200))), replyTo: replyTo)
        }
        let classRef: String
        if let requested = request.requestedAuthnContext {
            guard let chosen = Self.authnContextClass(satisfying: requested) else {
                throw AuthnRequestRejection(error: .unsupportedAuthnContext(comparison: requested.comparison.rawValue,
                                                                            classRefs: requested.classRefs + requested.declRefs),
                                            replyTo: replyTo)
            }
            classRef = chosen
        } else {
            classRef = SAMLAuthnContextClass.passwordProtectedTransport
        }
        return ValidatedAuthnRequest(request: request, serviceProvider: provider, assertionConsumerService: acs,
                                     binding: message.binding, relayState: message.relayState,
                                     signatureVerified: verified, authnContextClassRef: classRef)
    }

    /// saml-core §3.4.1: URL and Index are mutually exclusive; with neither,
    /// the default endpoint from metadata is used (saml-metadata §2.2.3).
    static func assertionConsumerService(for request: AuthnRequest, settings: ServiceProvider.SAMLSettings) throws(SAMLRequestError) -> ServiceProvider.SAMLSettings.Endpoint {
        let posts = settings.assertionConsumerServices.filter { $0.binding == .httpPOST }
        switch (request.assertionConsumerServiceURL, request.assertionConsumerServiceIndex) {
        case (_?, _?):
            throw .acsURLAndIndexBoth
        case let (url?, nil):
            // Exact string comparison: no normalisation an attacker could exploit.
            guard let endpoint = posts.first(where: { $0.url == url }) else { throw .unregisteredACS(String(url.prefix(300))) }
            return endpoint
        case let (nil, index?):
            guard let endpoint = posts.first(where: { $0.index == index }) else { throw .unregisteredACSIndex(index) }
            return endpoint
        case (nil, nil):
            guard let endpoint = settings.defaultAssertionConsumerService else { throw .noDefaultACS(entityID: settings.entityID) }
            return endpoint
        }
    }

    /// The NameID formats a request may ask for: the configured one, or
    /// unspecified (saml-core §3.4.1.1: "…the identity provider is free to use any kind").
    static func canIssue(format: String, settings: ServiceProvider.SAMLSettings) -> Bool {
        format == settings.nameIDFormat.rawValue || format == ServiceProvider.SAMLSettings.NameIDFormat.unspecified.rawValue
    }

    /// Which class to state for RequestedAuthnContext (saml-core §3.3.2.2.1),
    /// given that a store login is a password over HTTPS. StoreIdP orders the
    /// classes it knows as unspecified < Password < PasswordProtectedTransport
    /// (the comparison's ordering is left to the IdP); nil when it cannot comply.
    static func authnContextClass(satisfying requested: AuthnRequest.RequestedAuthnContext) -> String? {
        let ppt = SAMLAuthnContextClass.passwordProtectedTransport
        let password = SAMLAuthnContextClass.password
        let unspecified = SAMLAuthnContextClass.unspecified
        let refs = requested.classRefs
        if refs.isEmpty { return requested.declRefs.isEmpty ? ppt : nil }
        switch requested.comparison {
        case .exact:
            return [ppt, password, unspecified].first { refs.contains($0) }
        case .minimum:
            // PasswordProtectedTransport is at least as strong as each class we know.
            return refs.contains { $0 == ppt || $0 == password || $0 == unspecified } ? ppt : nil
        case .better:
            return refs.contains { $0 == password || $0 == unspecified } ? ppt : nil
        case .maximum:
            return [ppt, password, unspecified].first { refs.contains($0) }
        }
    }
}
