import CXMLSec
import Foundation

/// Encrypts elements for a recipient (xmlenc-core1 §4.1, Type=Element).
public enum XMLEncryptor {
    /// Encrypts `element` under a fresh AES key, which is itself encrypted to
    /// `recipient` with RSA-OAEP (MGF1, SHA-1 OAEP digest) in a
    /// `ds:KeyInfo/xenc:EncryptedKey` (xmlenc-core1 §3.5.1), whose own KeyInfo
    /// names the recipient certificate.
    ///
    /// Placement: with `container` nil, the `xenc:EncryptedData` takes the
    /// element's place. With a container (e.g. a `saml:EncryptedAssertion`
    /// the caller built, saml-core §2.3.4), the EncryptedData becomes its last
    /// child and the original element is removed from the tree.
    ///
    /// The plaintext is a self-contained serialisation (namespaces in scope
    /// are declared on the element), so it decrypts into any context.
    ///
    /// - Returns: the `xenc:EncryptedData` element.
    @discardableResult
    public static func encrypt(
        _ element: XMLElement,
        recipient: XMLCertificate,
        dataAlgorithm: XMLEncryptionAlgorithm = .aes256GCM,
        keyTransport: XMLKeyTransportAlgorithm = .rsaOAEP,
        into container: XMLElement? = nil
    ) throws(XMLSecurityError) -> XMLElement {
        if let container, container.document !== element.document {
            throw .invalidArgument("the container belongs to another document")
        }
        var out: OpaquePointer?
        let rc = cx_encrypt(element.document.handle, element.node, recipient.storage.handle,
                            dataAlgorithm.cValue, keyTransport.cValue, container?.node, &out)
        try CXMLSecBridge.check(rc)
        guard let out else { throw .internalError("no EncryptedData returned") }
        return XMLElement(document: element.document, node: out)
    }
}

/// Decrypts `xenc:EncryptedData` elements (SP side, round-trip tests).
public enum XMLDecryptor {
    /// Decrypts `encryptedData` (Type=Element) with the `xenc:EncryptedKey`
    /// found in its `ds:KeyInfo` or as a sibling (saml-core §2.2.4), replaces
    /// it with the decrypted element and returns that element. The plaintext
    /// is parsed under `limits` and must be exactly one element.
    public static func decrypt(
        encryptedData: XMLElement,
        key: XMLDecryptionKey,
        limits: XMLParseLimits = .default
    ) throws(XMLSecurityError) -> XMLElement {
        var out: OpaquePointer?
        let rc = cx_decrypt(encryptedData.document.handle, encryptedData.node, key.storage.handle,
                            limits.maxBytes, Int32(clamping: limits.maxDepth), &out)
        guard rc == CX_OK, let out else { throw CXMLSecBridge.error(for: rc, limits: limits) }
        return XMLElement(document: encryptedData.document, node: out)
    }
}
