import Foundation
import StoreIdPCore
import XMLSecurity

/// Builds the single logout messages StoreIdP sends (saml-core §3.7,
/// saml-profiles §4.4): the LogoutResponse answering an SP's LogoutRequest,
/// and a LogoutRequest to an SP when the customer logs out elsewhere.
///
/// With HTTP-POST the message carries an enveloped signature; with
/// HTTP-Redirect it carries none and the query is signed instead
/// (saml-bindings §3.4.4.1).
///
/// ```swift
/// let slo = SingleLogoutBuilder(identityProvider: idp, signingKey: activeKey)
/// let answer = try slo.logoutResponse(to: validated, status: .success, now: now)
/// ```
public struct SingleLogoutBuilder: Sendable {
    public var identityProvider: IdentityProvider
    public var signingKey: XMLSigningKey
    public var makeID: @Sendable () -> String

    public init(identityProvider: IdentityProvider, signingKey: XMLSigningKey,
                makeID: @escaping @Sendable () -> String = { IdentifierGenerator.samlID() }) {
        self.identityProvider = identityProvider
        self.signingKey = signingKey
        self.makeID = makeID
    }

    /// The SP's SLO endpoint to use: one with `preferred` binding if it has
    /// one, else its first (saml-metadata §2.4.2).
    public static func endpoint(of settings: ServiceProvider.SAMLSettings, preferred: SAMLBinding?) -> ServiceProvider.SAMLSettings.Endpoint? {
        if let preferred, let match = settings.singleLogoutServices.first(where: { $0.binding == preferred }) { return match }
        return settings.singleLogoutServices.first
    }

    /// A LogoutResponse (saml-core §3.7.2) to the SP's SLO ResponseLocation
    /// (or Location), over the binding the request came with when possible.
    public func logoutResponse(
        to request: ValidatedLogoutRequest,
        status: SAMLStatus,
        now: Date
    ) throws(SAMLBuildError) -> SAMLOutboundMessage {
        try logoutResponse(serviceProvider: request.serviceProvider, inResponseTo: request.request.id, status: status,
                           relayState: request.relayState, preferredBinding: request.binding, now: now)
    }

    public func logoutResponse(
        serviceProvider: ServiceProvider,
        inResponseTo: String,
        status: SAMLStatus,
        relayState: String?,
        preferredBinding: SAMLBinding?,
        now: Date
    ) throws(SAMLBuildError) -> SAMLOutboundMessage {
        guard let settings = serviceProvider.saml, let endpoint = Self.endpoint(of: settings, preferred: preferredBinding) else {
            throw .noSingleLogoutService(entityID: serviceProvider.saml?.entityID ?? serviceProvider.slug)
        }
        let destination = endpoint.responseURL ?? endpoint.url
        let xml: Data
        do throws(XMLSecurityError) {
            let writer = try SAMLMessageWriter("LogoutResponse", id: makeID(), issueInstant: SAMLInstant.string(from: now),
                                               destination: destination, inResponseTo: inResponseTo,
                                               issuer: identityProvider.entityID)
            try writer.addStatus(status)
            if endpoint.binding == .httpPOST { try writer.sign(with: signingKey, algorithm: settings.signatureAlgorithm.xmlAlgorithm) }
            xml = try writer.document.serialized()
        } catch {
            throw .xml(error)
        }
        return try deliver(xml, parameter: .response, relayState: relayState, endpoint: endpoint, destination: destination,
                           algorithm: settings.signatureAlgorithm.xmlAlgorithm)
    }

    /// A LogoutRequest to a service provider (saml-core §3.7.1), naming the
    /// NameID exactly as it was sent in the assertion and the session index.
    /// - Returns: the message and its ID (keep it to match the LogoutResponse).
    public func logoutRequest(
        serviceProvider: ServiceProvider,
        nameID: SAMLNameID,
        sessionIndex: String?,
        relayState: String? = nil,
        preferredBinding: SAMLBinding? = .httpRedirect,
        lifetimeSeconds: Int = 300,
        now: Date
    ) throws(SAMLBuildError) -> (message: SAMLOutboundMessage, requestID: String) {
        guard let settings = serviceProvider.saml, let endpoint = Self.endpoint(of: settings, preferred: preferredBinding) else {
            throw .noSingleLogoutService(entityID: serviceProvider.saml?.entityID ?? serviceProvider.slug)
        }
        let id = makeID()
        let xml: Data
        do throws(XMLSecurityError) {
            let writer = try SAMLMessageWriter("LogoutRequest", id: id, issueInstant: SAMLInstant.string(from: now),
                                               destination: endpoint.url, inResponseTo: nil, issuer: identityProvider.entityID)
            try writer.root.setAttribute("NotOnOrAfter", value: SAMLInstant.string(from: now.addingTimeInterval(TimeInterval(lifetimeSeconds))))
            try SAMLMessageWriter.addNameID(nameID, to: writer.root)
            if let sessionIndex {
                try writer.root.addChild(namespace: SAMLMessageWriter.p, prefix: SAMLMessageWriter.pp, localName: "SessionIndex")
                    .setText(sessionIndex)
            }
            if endpoint.binding == .httpPOST { try writer.sign(with: signingKey, algorithm: settings.signatureAlgorithm.xmlAlgorithm) }
            xml = try writer.document.serialized()
        } catch {
            throw .xml(error)
        }
        let message = try deliver(xml, parameter: .request, relayState: relayState, endpoint: endpoint, destination: endpoint.url,
                                  algorithm: settings.signatureAlgorithm.xmlAlgorithm)
        return (message, id)
    }

    private func deliver(_ xml: Data, parameter: SAMLMessageParameter, relayState: String?,
                         endpoint: ServiceProvider.SAMLSettings.Endpoint, destination: String,
                         algorithm: XMLSignatureAlgorithm) throws(SAMLBuildError) -> SAMLOutboundMessage {
        switch endpoint.binding {
        case .httpPOST:
            return try SAMLPostBinding.message(xml: xml, parameter: parameter, relayState: relayState, destination: destination)
        case .httpRedirect:
            return try SAMLRedirectBinding.message(xml: xml, parameter: parameter, relayState: relayState, destination: destination,
                                                   signingKey: signingKey, algorithm: algorithm)
        }
    }
}
