import Foundation
import StoreIdPCore
import XMLSecurity

/// Our IdP metadata (saml-metadata §2.3.2 EntityDescriptor, §2.4.3
/// IDPSSODescriptor), enveloped-signed so partners that fetch it over the
/// network can check it (saml-metadata §3.1).
///
/// ```swift
/// let xml = try IdentityProviderMetadata.document(identityProvider: idp, certificatesPEM: ring.publishedPEMs,
///                                                 signingKey: activeKey, validUntil: now + 7 * 86_400)
/// ```
public enum IdentityProviderMetadata {
    /// The NameID formats we can issue (saml-core §8.3), in the order published.
    public static let nameIDFormats: [ServiceProvider.SAMLSettings.NameIDFormat] = [.email, .persistent, .transient, .unspecified]

    /// Builds and signs the metadata document.
    ///
    /// - Parameters:
    ///   - certificatesPEM: every certificate partners should trust (next, active and retired keys,
    ///     DESIGN §KeyRing), one `md:KeyDescriptor use="signing"` each, in the order given.
    ///   - validUntil: after this instant partners must fetch the metadata again (saml-metadata §2.3.2).
    ///   - cacheDuration: seconds partners may cache it (xs:duration, saml-metadata §2.3.2).
    /// - Returns: the serialized, signed XML.
    public static func document(
        identityProvider: IdentityProvider,
        certificatesPEM: [String],
        signingKey: XMLSigningKey,
        signatureAlgorithm: XMLSignatureAlgorithm = .rsaSHA256,
        id: String = IdentifierGenerator.samlID(),
        validUntil: Date? = nil,
        cacheDuration: Int? = nil
    ) throws(SAMLBuildError) -> Data {
        var base64Certificates: [String] = []
        for (index, pem) in certificatesPEM.enumerated() {
            do {
                base64Certificates.append(try XMLCertificate(pem: pem).base64DER)
            } catch {
                throw .unusableCertificate(which: "published signing (#\(index + 1))", detail: error.description)
            }
        }
        do throws(XMLSecurityError) {
            let md = SAMLNamespace.metadata, mdp = SAMLNamespace.Prefix.metadata
            let doc = try XMLDocument(rootNamespace: md, prefix: mdp, rootName: "EntityDescriptor")
            guard let entity = doc.rootElement else { throw .internalError("no root element") }
            try entity.declareNamespace(SAMLNamespace.ds, prefix: SAMLNamespace.Prefix.ds)
            try entity.setAttribute("entityID", value: identityProvider.entityID)
            try entity.setAttribute("ID", value: id)
            if let validUntil { try entity.setAttribute("validUntil", value: SAMLInstant.string(from: validUntil)) }
            if let cacheDuration { try entity.setAttribute("cacheDuration", value: "PT\(max(0, cacheDuration))S") }

            let idp = try entity.addChild(namespace: md, prefix: mdp, localName: "IDPSSODescriptor")
            try idp.setAttribute("protocolSupportEnumeration", value: SAMLNamespace.protocolSupportEnumeration)
            // saml-metadata §2.4.3: we accept unsigned AuthnRequests unless a partner is configured otherwise.
            try idp.setAttribute("WantAuthnRequestsSigned", value: "false")

            for certificate in base64Certificates {
                let descriptor = try idp.addChild(namespace: md, prefix: mdp, localName: "KeyDescriptor")
                try descriptor.setAttribute("use", value: "signing")
                let keyInfo = try descriptor.addChild(namespace: SAMLNamespace.ds, prefix: SAMLNamespace.Prefix.ds, localName: "KeyInfo")
                let x509 = try keyInfo.addChild(namespace: SAMLNamespace.ds, prefix: SAMLNamespace.Prefix.ds, localName: "X509Data")
                try x509.addChild(namespace: SAMLNamespace.ds, prefix: SAMLNamespace.Prefix.ds, localName: "X509Certificate")
                    .setText(certificate)
            }
            // Schema order (saml-metadata §2.4.2 SSODescriptorType, then §2.4.3):
            // SingleLogoutService*, NameIDFormat*, SingleSignOnService+.
            for binding in [SAMLBinding.httpRedirect, .httpPOST] {
                let slo = try idp.addChild(namespace: md, prefix: mdp, localName: "SingleLogoutService")
                try slo.setAttribute("Binding", value: binding.rawValue)
                try slo.setAttribute("Location", value: identityProvider.singleLogoutServiceURL)
            }
            for format in nameIDFormats {
                try idp.addChild(namespace: md, prefix: mdp, localName: "NameIDFormat").setText(format.rawValue)
            }
            for binding in [SAMLBinding.httpRedirect, .httpPOST] {
                let sso = try idp.addChild(namespace: md, prefix: mdp, localName: "SingleSignOnService")
                try sso.setAttribute("Binding", value: binding.rawValue)
                try sso.setAttribute("Location", value: identityProvider.singleSignOnServiceURL)
            }
            // ds:Signature is the first child of EntityDescriptor (saml-metadata §2.3.2).
            try XMLSigner.sign(entity, key: signingKey, algorithm: signatureAlgorithm)
            return try doc.serialized()
        } catch {
            throw .xml(error)
        }
    }
}
