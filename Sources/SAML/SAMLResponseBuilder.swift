import Foundation
import StoreIdPCore
import XMLSecurity

/// Builds the `samlp:Response` of Web Browser SSO (saml-profiles §4.1.4.2),
/// signed and optionally encrypted as the service provider is configured.
///
/// ```swift
/// let builder = SAMLResponseBuilder(identityProvider: idp, signingKey: activeKey)
/// let response = try builder.build(.init(serviceProvider: sp, acsURL: acs.url, inResponseTo: request.requestID,
///     nameID: SAMLNameID(value: customer.email.value, format: sp.saml!.nameIDFormat.rawValue),
///     payload: payload, now: now, authnInstant: session.authTime, sessionIndex: session.index))
/// ```
public struct SAMLResponseBuilder: Sendable {
    /// What one assertion says.
    public struct Parameters: Sendable {
        public var serviceProvider: ServiceProvider
        /// The ACS the response goes to: Destination and Recipient (saml-profiles §4.1.4.2).
        public var acsURL: String
        /// The AuthnRequest's ID; nil for IdP-initiated SSO (then no InResponseTo anywhere).
        public var inResponseTo: String?
        /// Written as given: build it with `SAMLNameID.issued(_:to:)`.
        public var nameID: SAMLNameID
        public var payload: ProvisioningPayload
        /// Default: the SP's configured audience, else its entity ID.
        public var audience: String?
        /// Default: the SP's lifetimeSeconds.
        public var lifetimeSeconds: Int?
        public var now: Date
        public var authnInstant: Date
        public var sessionIndex: String
        public var sessionNotOnOrAfter: Date?
        public var authnContextClassRef: String

        public init(serviceProvider: ServiceProvider, acsURL: String, inResponseTo: String?, nameID: SAMLNameID,
                    payload: ProvisioningPayload, audience: String? = nil, lifetimeSeconds: Int? = nil, now: Date,
                    authnInstant: Date, sessionIndex: String, sessionNotOnOrAfter: Date? = nil,
                    authnContextClassRef: String = SAMLAuthnContextClass.passwordProtectedTransport) {
            self.serviceProvider = serviceProvider
            self.acsURL = acsURL
            self.inResponseTo = inResponseTo
            self.nameID = nameID
            self.payload = payload
            self.audience = audience
            self.lifetimeSeconds = lifetimeSeconds
            self.now = now
            self.authnInstant = authnInstant
            self.sessionIndex = sessionIndex
            self.sessionNotOnOrAfter = sessionNotOnOrAfter
            self.authnContextClassRef = authnContextClassRef
        }
    }

    public var identityProvider: IdentityProvider
    /// Loaded once by the caller; each signature uses a cheap duplicate of it.
    public var signingKey: XMLSigningKey
    /// Fresh IDs (saml-core §1.3.4); injected by tests.
    public var makeID: @Sendable () -> String
    /// Conditions NotBefore is this much before now, for SPs whose clocks run behind.
    public var notBeforeSkew: TimeInterval
    /// Parsed SP certificates shared across responses (optional).
    public var certificateCache: SAMLCertificateCache?

    public init(identityProvider: IdentityProvider, signingKey: XMLSigningKey,
                makeID: @escaping @Sendable () -> String = { IdentifierGenerator.samlID() },
                notBeforeSkew: TimeInterval = 60, certificateCache: SAMLCertificateCache? = nil) {
        self.certificateCache = certificateCache
        self.identityProvider = identityProvider
        self.signingKey = signingKey
        self.makeID = makeID
        self.notBeforeSkew = notBeforeSkew
    }

    /// A Success response with one assertion.
    ///
    /// Order of work: the assertion is built and, if the SP wants it, signed
    /// (ds:Signature right after its Issuer); then encrypted to the SP's first
    /// encryption certificate into a `saml:EncryptedAssertion` (saml-core
    /// §2.3.4) if configured; the Response is signed last.
    public func build(_ p: Parameters) throws(SAMLBuildError) -> SAMLResponseDocument {
        guard let settings = p.serviceProvider.saml else {
            throw .xml(.invalidArgument("service provider \(p.serviceProvider.slug) has no SAML settings"))
        }
        let recipient = settings.encryption == nil ? nil : try encryptionCertificate(of: settings)
        let responseID = makeID(), assertionID = makeID()
        let issueInstant = SAMLInstant.string(from: p.now)
        let lifetime = TimeInterval(p.lifetimeSeconds ?? p.serviceProvider.lifetimeSeconds)
        let notOnOrAfter = p.now.addingTimeInterval(lifetime)
        let notOnOrAfterText = SAMLInstant.string(from: notOnOrAfter)
        let algorithm = settings.signatureAlgorithm.xmlAlgorithm
        let a = SAMLMessageWriter.a, ap = SAMLMessageWriter.ap

        do throws(XMLSecurityError) {
            let writer = try SAMLMessageWriter("Response", id: responseID, issueInstant: issueInstant, destination: p.acsURL,
                                               inResponseTo: p.inResponseTo, issuer: identityProvider.entityID)
            try writer.addStatus(.success)

            // saml-core §2.3.3: Issuer, Signature?, Subject, Conditions, statements.
            let assertion = try writer.root.addChild(namespace: a, prefix: ap, localName: "Assertion")
            try assertion.declareNamespace(SAMLNamespace.xs, prefix: SAMLNamespace.Prefix.xs)
            try assertion.declareNamespace(SAMLNamespace.xsi, prefix: SAMLNamespace.Prefix.xsi)
            try assertion.setAttribute("ID", value: assertionID)
            try assertion.setAttribute("Version", value: SAMLNamespace.version)
            try assertion.setAttribute("IssueInstant", value: issueInstant)
            let assertionIssuer = try assertion.addChild(namespace: a, prefix: ap, localName: "Issuer")
            try assertionIssuer.setText(identityProvider.entityID)

            let subject = try assertion.addChild(namespace: a, prefix: ap, localName: "Subject")
            try SAMLMessageWriter.addNameID(p.nameID, to: subject)
            // saml-profiles §4.1.4.2: bearer confirmation with Recipient, NotOnOrAfter, InResponseTo; no NotBefore.
            let confirmation = try subject.addChild(namespace: a, prefix: ap, localName: "SubjectConfirmation")
            try confirmation.setAttribute("Method", value: SAMLNamespace.bearerConfirmation)
            let data = try confirmation.addChild(namespace: a, prefix: ap, localName: "SubjectConfirmationData")
            if let inResponseTo = p.inResponseTo { try data.setAttribute("InResponseTo", value: inResponseTo) }
            try data.setAttribute("NotOnOrAfter", value: notOnOrAfterText)
            try data.setAttribute("Recipient", value: p.acsURL)

            // saml-core §2.5.1; saml-profiles §4.1.4.2: an AudienceRestriction naming the SP.
            let conditions = try assertion.addChild(namespace: a, prefix: ap, localName: "Conditions")
            try conditions.setAttribute("NotBefore", value: SAMLInstant.string(from: p.now.addingTimeInterval(-notBeforeSkew)))
            try conditions.setAttribute("NotOnOrAfter", value: notOnOrAfterText)
            let restriction = try conditions.addChild(namespace: a, prefix: ap, localName: "AudienceRestriction")
            try restriction.addChild(namespace: a, prefix: ap, localName: "Audience")
                .setText(p.audience ?? p.serviceProvider.audience ?? settings.entityID)

            // saml-core §2.7.2.
            let authn = try assertion.addChild(namespace: a, prefix: ap, localName: "AuthnStatement")
            try authn.setAttribute("AuthnInstant", value: SAMLInstant.string(from: p.authnInstant))
            try authn.setAttribute("SessionIndex", value: p.sessionIndex)
            if let until = p.sessionNotOnOrAfter { try authn.setAttribute("SessionNotOnOrAfter", value: SAMLInstant.string(from: until)) }
            let context = try authn.addChild(namespace: a, prefix: ap, localName: "AuthnContext")
            try context.addChild(namespace: a, prefix: ap, localName: "AuthnContextClassRef").setText(p.authnContextClassRef)

            // saml-core §2.7.3: one Attribute per name, each value an xs:string.
            if !p.payload.values.isEmpty {
                let statement = try assertion.addChild(namespace: a, prefix: ap, localName: "AttributeStatement")
                for entry in p.payload.values {
                    let attribute = try statement.addChild(namespace: a, prefix: ap, localName: "Attribute")
                    try attribute.setAttribute("Name", value: entry.name)
                    // A mapping entry may carry its own NameFormat (OID names are uri) and FriendlyName.
                    try attribute.setAttribute("NameFormat", value: entry.nameFormat ?? settings.attributeNameFormat.rawValue)
                    if let friendlyName = entry.friendlyName { try attribute.setAttribute("FriendlyName", value: friendlyName) }
                    for value in entry.values {
                        let element = try attribute.addChild(namespace: a, prefix: ap, localName: "AttributeValue")
                        try element.setAttribute("type", namespace: SAMLNamespace.xsi, prefix: SAMLNamespace.Prefix.xsi, value: "xs:string")
                        try element.setText(value)
                    }
                }
            }

            if settings.signing.signsAssertion {
                try XMLSigner.sign(assertion, key: signingKey, algorithm: algorithm, insertAfter: assertionIssuer)
            }
            if let encryption = settings.encryption, let recipient {
                let container = try writer.root.addChild(namespace: a, prefix: ap, localName: "EncryptedAssertion")
                try XMLEncryptor.encrypt(assertion, recipient: recipient, dataAlgorithm: encryption.xmlAlgorithm, into: container)
            }
            if settings.signing.signsResponse {
                try writer.sign(with: signingKey, algorithm: algorithm)
            }
            return SAMLResponseDocument(xml: try writer.document.serialized(), responseID: responseID,
                                        assertionID: assertionID, notOnOrAfter: notOnOrAfter)
        } catch {
            throw .xml(error)
        }
    }

    /// The certificate assertions for this SP are encrypted to: the first registered encryption
    /// certificate (saml-metadata §2.4.1.1 KeyDescriptor use="encryption"), parsed once through
    /// the cache when there is one.
    public func encryptionCertificate(of settings: ServiceProvider.SAMLSettings) throws(SAMLBuildError) -> XMLCertificate {
        guard let pem = settings.encryptionCertificates.first else { throw .noEncryptionCertificate(entityID: settings.entityID) }
        do {
            if let certificateCache, let cached = try certificateCache.certificates([pem]).first { return cached }
            return try XMLCertificate(pem: pem)
        } catch {
            throw .unusableCertificate(which: "encryption certificate of \(settings.entityID)", detail: error.description)
        }
    }

    /// A signed Response without an assertion, carrying an error status
    /// (saml-core §3.2.2.2), e.g. Requester/InvalidNameIDPolicy or
    /// Responder/NoPassive. Only for an ACS that is registered for the SP.
    public func buildError(
        serviceProvider: ServiceProvider,
        acsURL: String,
        inResponseTo: String?,
        status: SAMLStatus,
        now: Date
    ) throws(SAMLBuildError) -> SAMLResponseDocument {
        let responseID = makeID()
        let algorithm = serviceProvider.saml?.signatureAlgorithm.xmlAlgorithm ?? .rsaSHA256
        do throws(XMLSecurityError) {
            let writer = try SAMLMessageWriter("Response", id: responseID, issueInstant: SAMLInstant.string(from: now),
                                               destination: acsURL, inResponseTo: inResponseTo, issuer: identityProvider.entityID)
            try writer.addStatus(status)
            try writer.sign(with: signingKey, algorithm: algorithm)
            return SAMLResponseDocument(xml: try writer.document.serialized(), responseID: responseID,
                                        assertionID: nil, notOnOrAfter: nil)
        } catch {
            throw .xml(error)
        }
    }

    /// The error Response for a rejection found after the ACS was trusted.
    public func buildError(for rejection: AuthnRequestRejection, now: Date) throws(SAMLBuildError) -> SAMLResponseDocument? {
        guard let reply = rejection.replyTo else { return nil }
        return try buildError(serviceProvider: reply.serviceProvider, acsURL: reply.acsURL,
                              inResponseTo: reply.requestID, status: rejection.status, now: now)
    }
}
