import Foundation
import StoreIdPCore
import XMLSecurity

/// Checks the signature of an incoming request the way its binding defines it,
/// with the service provider's registered certificates only (a certificate
/// inside the message is never trusted).
enum SAMLRequestSignature {
    /// Query signature algorithms accepted (saml-bindings §3.4.4.1; SHA-1 refused).
    static let allowedRedirectAlgorithms: Set<XMLSignatureAlgorithm> = [.rsaSHA256, .rsaSHA512, .ecdsaSHA256]

    /// - Returns: true when a signature was present and verified; false when
    ///   the request is unsigned (or signed, but the SP registered no
    ///   certificate and signatures are not required) and that is acceptable.
    static func check(
        _ message: SAMLInboundMessage,
        element: XMLElement,
        settings: ServiceProvider.SAMLSettings,
        required: Bool,
        cache: SAMLCertificateCache?
    ) throws(SAMLRequestError) -> Bool {
        let querySigned = message.binding == .httpRedirect && message.redirectSignature != nil
        // HTTP-POST (§3.5.4): an enveloped signature on the request element itself.
        // HTTP-Redirect should carry none (§3.4.4.1), but one that verifies is as good.
        let envelopedSigned = element.firstChild(namespace: SAMLNamespace.ds, localName: "Signature") != nil
        guard querySigned || envelopedSigned else {
            if required {
                throw settings.signingCertificates.isEmpty ? .noSigningCertificate(entityID: settings.entityID) : .signatureRequired
            }
            return false
        }
        if settings.signingCertificates.isEmpty {
            if required { throw .noSigningCertificate(entityID: settings.entityID) }
            return false
        }
        let certificates: [XMLCertificate]
        do {
            certificates = try cache?.certificates(settings.signingCertificates)
                ?? settings.signingCertificates.map { (pem) throws(XMLSecurityError) in try XMLCertificate(pem: pem) }
        } catch {
            throw .signatureInvalid("the registered signing certificate cannot be read: \(error)")
        }

        if querySigned, let signature = message.redirectSignature {
            guard let algorithm = XMLSignatureAlgorithm(uri: signature.algorithmURI),
                  allowedRedirectAlgorithms.contains(algorithm) else {
                throw .signatureAlgorithmNotAllowed(String(signature.algorithmURI.prefix(100)))
            }
            for certificate in certificates where certificate.keyType == algorithm.keyType {
                let valid = (try? XMLSignatureVerifier.verify(bytes: signature.signedOctets, signature: signature.signature,
                                                              certificate: certificate, algorithm: algorithm)) ?? false
                if valid { return true }
            }
            throw .signatureInvalid("the query signature does not verify with the \(certificates.count) registered certificate(s)")
        }

        do {
            try XMLSignatureVerifier.verify(signedElement: element, trustedCertificates: certificates)
            return true
        } catch {
            switch error {
            case .weakAlgorithm(let m), .algorithmNotAllowed(let m): throw .signatureAlgorithmNotAllowed(m)
            default: throw .signatureInvalid(error.description)
            }
        }
    }

    /// Destination rules (saml-bindings §3.4.5.2, §3.5.5.2): "If the message is
    /// signed, the Destination XML attribute … MUST contain the URL to which
    /// the sender has instructed the user agent to deliver the message"; when
    /// present it must be ours either way.
    static func checkDestination(_ destination: String?, expected: String, signed: Bool) throws(SAMLRequestError) {
        if let destination {
            guard destination == expected else { throw .wrongDestination(String(destination.prefix(200))) }
        } else if signed {
            throw .missingDestination
        }
    }

    /// IssueInstant within ± skew of now (saml-core §1.3.3 leaves the window to the receiver).
    /// The error repeats `text`, the instant as the peer wrote it, never the date formatted again.
    static func checkIssueInstant(_ instant: Date, text: String, now: Date, skew: TimeInterval) throws(SAMLRequestError) {
        if instant < now.addingTimeInterval(-skew) { throw .expired(SAMLInstant.echo(text)) }
        if instant > now.addingTimeInterval(skew) { throw .notYetValid(SAMLInstant.echo(text)) }
    }
}
