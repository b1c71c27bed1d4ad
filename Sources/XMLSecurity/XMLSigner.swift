import CXMLSec
import Foundation

/// Creates XML signatures and raw (HTTP-Redirect) signatures.
public enum XMLSigner {
    /// Signs `element` with an enveloped signature (xmldsig-core §6.6.4) in
    /// the SAML profile's form (saml-core §5.4): exclusive canonicalization
    /// (exc-c14n §3) as CanonicalizationMethod, one Reference to "#"+ID with
    /// the enveloped-signature and exc-c14n transforms, and the certificate in
    /// `ds:KeyInfo/ds:X509Data` (xmldsig-core §4.5.4).
    ///
    /// The `ds:Signature` is inserted right after `insertAfter` (SAML puts it
    /// right after `saml:Issuer`), or as the first child. The ID attribute is
    /// registered so the reference resolves; an ID that appears twice in the
    /// document is refused.
    ///
    /// - Returns: the inserted `ds:Signature` element.
    @discardableResult
    public static func sign(
        _ element: XMLElement,
        idAttribute: String = "ID",
        key: XMLSigningKey,
        algorithm: XMLSignatureAlgorithm = .rsaSHA256,
        digest: XMLDigestAlgorithm = .sha256,
        insertAfter: XMLElement? = nil
    ) throws(XMLSecurityError) -> XMLElement {
        if algorithm.usesSHA1 { throw .weakAlgorithm("refusing to create \(algorithm.uri) signatures") }
        if let insertAfter, insertAfter.document !== element.document {
            throw .invalidArgument("insertAfter belongs to another document")
        }
        var out: OpaquePointer?
        let rc = idAttribute.withCString { id in
            cx_sign(element.document.handle, element.node, id, key.storage.handle,
                    algorithm.cValue, digest.cValue, insertAfter?.node, &out)
        }
        try CXMLSecBridge.check(rc)
        guard let out else { throw .internalError("no signature node returned") }
        return XMLElement(document: element.document, node: out)
    }

    /// Signs bytes as the HTTP-Redirect binding requires (saml-bindings
    /// §3.4.4.1): the input is the exact octet string
    /// `SAMLRequest=…&RelayState=…&SigAlg=…` (or `SAMLResponse=…`). RSA gives
    /// a PKCS#1 v1.5 signature; ECDSA gives r‖s (RFC 4051 §3.3 / RFC 6931).
    public static func sign(bytes: Data, key: XMLSigningKey, algorithm: XMLSignatureAlgorithm = .rsaSHA256) throws(XMLSecurityError) -> Data {
        if algorithm.usesSHA1 { throw .weakAlgorithm("refusing to create \(algorithm.uri) signatures") }
        var sig: UnsafeMutablePointer<UInt8>?
        var len = 0
        let rc = CXMLSecBridge.withBytes(bytes) { p, n in
            cx_raw_sign(key.storage.handle, algorithm.cValue, p, n, &sig, &len)
        }
        try CXMLSecBridge.check(rc)
        guard let sig else { throw .internalError("no signature returned") }
        defer { cx_free(sig) }
        return Data(bytes: sig, count: len)
    }
}
