/// Everything that can go wrong in ``XMLSecurity``, worded for the person who
/// has to fix it (a partner admin, an operator), with the offending detail.
public enum XMLSecurityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The document has a `<!DOCTYPE …>`. DTDs carry entity declarations
    /// (billion laughs, XXE) and are never needed by SAML, so they are refused.
    case doctypeForbidden
    /// The input is larger than the configured limit (bytes).
    case tooLarge(limit: Int)
    /// Elements are nested deeper than the configured limit.
    case tooDeep(limit: Int)
    /// The input is not well-formed XML; the reason comes from libxml2.
    case malformed(String)
    /// A name, prefix, value or node handed to the API is unusable.
    case invalidArgument(String)
    /// The element to sign or verify has no (or an empty) ID attribute.
    case missingID(String)
    /// The same ID value appears on more than one element, so "#id" is ambiguous.
    case duplicateID(String)
    /// The element has no `ds:Signature` child.
    case signatureNotFound(String)
    /// The element has more than one `ds:Signature` child.
    case multipleSignatures(String)
    /// The signature's Reference is missing, not unique, or does not point at this element.
    case referenceMismatch(String)
    /// A canonicalization method or transform other than enveloped-signature / c14n was used.
    case transformNotAllowed(String)
    /// A signature, digest or encryption algorithm outside the allow-list was used.
    case algorithmNotAllowed(String)
    /// SHA-1 was used and not explicitly allowed.
    case weakAlgorithm(String)
    /// The signature does not verify with any trusted certificate (tampered, or signed by someone else).
    case signatureInvalid(String)
    /// The private key could not be used (unreadable, encrypted, wrong type, does not match its certificate).
    case invalidKey(String)
    /// The certificate could not be read or has an unsupported key.
    case invalidCertificate(String)
    /// Signing failed inside xmlsec/OpenSSL.
    case signingFailed(String)
    /// Encryption failed inside xmlsec/OpenSSL.
    case encryptionFailed(String)
    /// Decryption failed (wrong key, corrupted ciphertext, unsupported method).
    case decryptionFailed(String)
    /// The element given for decryption is not `xenc:EncryptedData`.
    case notEncryptedData(String)
    /// libxml2/xmlsec/OpenSSL could not be initialised.
    case libraryInitializationFailed(String)
    /// An unexpected failure in the underlying libraries.
    case internalError(String)

    public var description: String {
        switch self {
        case .doctypeForbidden: return "XML with a DOCTYPE declaration is not accepted"
        case .tooLarge(let limit): return "XML is larger than the limit of \(limit) bytes"
        case .tooDeep(let limit): return "XML elements are nested deeper than the limit of \(limit)"
        case .malformed(let m): return "XML is not well-formed: \(m)"
        case .invalidArgument(let m): return "invalid argument: \(m)"
        case .missingID(let m): return "missing ID: \(m)"
        case .duplicateID(let m): return "duplicate ID: \(m)"
        case .signatureNotFound(let m): return "no signature: \(m)"
        case .multipleSignatures(let m): return "more than one signature: \(m)"
        case .referenceMismatch(let m): return "signature reference problem: \(m)"
        case .transformNotAllowed(let m): return "transform not allowed: \(m)"
        case .algorithmNotAllowed(let m): return "algorithm not allowed: \(m)"
        case .weakAlgorithm(let m): return "SHA-1 is not accepted: \(m)"
        case .signatureInvalid(let m): return "signature is not valid: \(m)"
        case .invalidKey(let m): return "unusable private key: \(m)"
        case .invalidCertificate(let m): return "unusable certificate: \(m)"
        case .signingFailed(let m): return "signing failed: \(m)"
        case .encryptionFailed(let m): return "encryption failed: \(m)"
        case .decryptionFailed(let m): return "decryption failed: \(m)"
        case .notEncryptedData(let m): return "not encrypted data: \(m)"
        case .libraryInitializationFailed(let m): return "XML security library failed to start: \(m)"
        case .internalError(let m): return "internal XML security error: \(m)"
        }
    }
}
