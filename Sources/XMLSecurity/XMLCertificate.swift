import CXMLSec
import Foundation

/// An X.509 certificate used to verify signatures and to encrypt to its
/// owner. Parsed once; immutable and safe to share between threads.
public struct XMLCertificate: Sendable, Hashable {
    final class Storage: @unchecked Sendable {
        // Immutable after init; the shim only reads it (per-call key duplicates).
        let handle: OpaquePointer
        init(handle: OpaquePointer) { self.handle = handle }
        deinit { cx_cert_free(handle) }
    }

    let storage: Storage

    /// The certificate's DER encoding.
    public let derRepresentation: Data

    /// Loads a PEM certificate (`-----BEGIN CERTIFICATE-----`).
    public init(pem: String) throws(XMLSecurityError) {
        try self.init(bytes: Data(pem.utf8), isDER: false)
    }

    /// Loads a DER certificate.
    public init(der: Data) throws(XMLSecurityError) {
        try self.init(bytes: der, isDER: true)
    }

    /// Loads the base64 DER text found in `ds:X509Certificate`
    /// (xmldsig-core §4.5.4) or SAML metadata; whitespace is ignored.
    public init(base64DER: String) throws(XMLSecurityError) {
        guard let der = Data(base64Encoded: base64DER, options: .ignoreUnknownCharacters), !der.isEmpty else {
            throw .invalidCertificate("not base64 DER")
        }
        try self.init(der: der)
    }

    private init(bytes: Data, isDER: Bool) throws(XMLSecurityError) {
        try CXMLSecBridge.initialize()
        var out: OpaquePointer?
        let rc = CXMLSecBridge.withBytes(bytes) { p, n in cx_cert_load(p, n, isDER ? 1 : 0, &out) }
        guard rc == CX_OK, let out else { throw CXMLSecBridge.error(for: rc) }
        storage = Storage(handle: out)
        var len = 0
        let der = cx_cert_der(out, &len)!
        derRepresentation = Data(bytes: der, count: len)
    }

    /// Base64 of the DER bytes, one line: the content of `ds:X509Certificate`
    /// in a metadata `md:KeyDescriptor` (saml-metadata §2.4.1.1).
    public var base64DER: String { derRepresentation.base64EncodedString() }

    /// PEM text of the certificate.
    public var pemRepresentation: String {
        let body = derRepresentation.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"
    }

    /// The certificate's public key type.
    public var keyType: XMLKeyType { cx_cert_kind(storage.handle) == CX_KEY_EC ? .ec : .rsa }

    public static func == (lhs: XMLCertificate, rhs: XMLCertificate) -> Bool {
        lhs.derRepresentation == rhs.derRepresentation
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(derRepresentation) }
}

/// Public key algorithms supported for signing, verification and key transport.
public enum XMLKeyType: String, Sendable {
    case rsa
    case ec
}
