import CXMLSec
import Foundation

/// Verifies XML signatures and raw (HTTP-Redirect) signatures against
/// certificates the caller trusts.
public enum XMLSignatureVerifier {
    /// Verifies the enveloped signature of `signedElement` and returns the
    /// element the signature actually covers (the same node), so callers read
    /// only verified content.
    ///
    /// Rules, each a defence against signature wrapping or key confusion:
    /// - the `ds:Signature` must be a direct child, and the only one;
    /// - `ds:SignedInfo` must have exactly one `ds:Reference` whose URI is
    ///   "#" + this element's ID (xmldsig-core §4.4.3.1), and that ID value
    ///   must not appear on any other element (ID attribute or xml:id);
    /// - transforms are limited to enveloped-signature (§6.6.4) and exclusive
    ///   or inclusive c14n (exc-c14n §3, xmldsig-core §6.5);
    /// - SHA-1 signature and digest methods are refused unless `allowSHA1`;
    /// - the key comes only from `trustedCertificates`; a certificate inside
    ///   `ds:KeyInfo` is ignored (xmldsig-core §4.5 leaves trust to the application).
    @discardableResult
    public static func verify(
        signedElement: XMLElement,
        idAttribute: String = "ID",
        trustedCertificates: [XMLCertificate],
        allowSHA1: Bool = false
    ) throws(XMLSecurityError) -> XMLElement {
        if trustedCertificates.isEmpty { throw .invalidArgument("no trusted certificate was given") }
        let handles: [OpaquePointer?] = trustedCertificates.map { $0.storage.handle }
        let rc = withExtendedLifetime(trustedCertificates) {
            handles.withUnsafeBufferPointer { certs in
                idAttribute.withCString { id in
                    cx_verify(signedElement.document.handle, signedElement.node, id,
                              certs.baseAddress, certs.count, allowSHA1 ? 1 : 0)
                }
            }
        }
        try CXMLSecBridge.check(rc)
        return signedElement
    }

    /// Verifies an HTTP-Redirect binding signature (saml-bindings §3.4.4.1)
    /// over the exact octets that were signed.
    ///
    /// - Returns: true when the signature is valid for `certificate`.
    /// - Throws: ``XMLSecurityError/weakAlgorithm(_:)`` for SHA-1 unless
    ///   `allowSHA1`; other errors when the inputs cannot be used at all.
    public static func verify(
        bytes: Data,
        signature: Data,
        certificate: XMLCertificate,
        algorithm: XMLSignatureAlgorithm,
        allowSHA1: Bool = false
    ) throws(XMLSecurityError) -> Bool {
        if algorithm.usesSHA1 && !allowSHA1 { throw .weakAlgorithm("\(algorithm.uri) is not accepted") }
        let rc = CXMLSecBridge.withBytes(bytes) { p, n in
            CXMLSecBridge.withBytes(signature) { s, sn in
                cx_raw_verify(certificate.storage.handle, algorithm.cValue, p, n, s, sn)
            }
        }
        if rc == CX_OK { return true }
        if rc == CX_E_SIGNATURE_INVALID { return false }
        throw CXMLSecBridge.error(for: rc)
    }
}
