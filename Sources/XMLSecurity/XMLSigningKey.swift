import CXMLSec
import Foundation

/// A private key (RSA or EC) with its certificate, loaded once and then used
/// for any number of signatures from any thread: each signature works on a
/// cheap per-call duplicate (`xmlSecKeyDuplicate`), the PEM is never reparsed.
///
/// ```swift
/// let key = try XMLSigningKey(privateKeyPEM: keyPEM, certificatePEM: certPEM)
/// try XMLSigner.sign(assertion, key: key, insertAfter: issuer)
/// ```
public struct XMLSigningKey: Sendable {
    final class Storage: @unchecked Sendable {
        // Immutable after init; shared read-only across threads.
        let handle: OpaquePointer
        init(handle: OpaquePointer) { self.handle = handle }
        deinit { cx_key_free(handle) }
    }

    let storage: Storage

    /// The certificate published with this key (KeyInfo, metadata), if given.
    public let certificate: XMLCertificate?

    /// Loads a PEM private key (PKCS#8 or traditional; unencrypted) and,
    /// optionally, its PEM certificate, which must match the key. With a
    /// certificate, signatures carry `ds:KeyInfo/ds:X509Data/ds:X509Certificate`.
    public init(privateKeyPEM: String, certificatePEM: String?) throws(XMLSecurityError) {
        try CXMLSecBridge.initialize()
        var out: OpaquePointer?
        let keyBytes = Array(privateKeyPEM.utf8)
        let certBytes = certificatePEM.map { Array($0.utf8) }
        let rc = keyBytes.withUnsafeBufferPointer { kb in
            kb.withMemoryRebound(to: CChar.self) { k in
                if let certBytes {
                    return certBytes.withUnsafeBufferPointer { cb in
                        cb.withMemoryRebound(to: CChar.self) { c in
                            cx_key_load(k.baseAddress, k.count, c.baseAddress, c.count, &out)
                        }
                    }
                }
                return cx_key_load(k.baseAddress, k.count, nil, 0, &out)
            }
        }
        guard rc == CX_OK, let out else { throw CXMLSecBridge.error(for: rc) }
        storage = Storage(handle: out)
        certificate = try certificatePEM.map { (pem) throws(XMLSecurityError) in try XMLCertificate(pem: pem) }
    }

    /// The key's algorithm family.
    public var keyType: XMLKeyType { cx_key_kind(storage.handle) == CX_KEY_EC ? .ec : .rsa }
}

/// An RSA private key used to decrypt `xenc:EncryptedKey` (SP side, tests).
public struct XMLDecryptionKey: Sendable {
    let storage: XMLSigningKey.Storage

    /// Loads an unencrypted PEM RSA private key.
    public init(privateKeyPEM: String) throws(XMLSecurityError) {
        storage = try XMLSigningKey(privateKeyPEM: privateKeyPEM, certificatePEM: nil).storage
    }

    /// Uses a signing key's private key for decryption (same key pair).
    public init(_ signingKey: XMLSigningKey) {
        storage = signingKey.storage
    }
}
