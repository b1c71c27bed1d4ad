import CXMLSec

/// Signature algorithms (xmldsig-core §6.4; RFC 6931 for the "more" URIs).
/// The raw value is the algorithm URI used in `ds:SignatureMethod` and in the
/// `SigAlg` parameter of the HTTP-Redirect binding (saml-bindings §3.4.4.1).
public enum XMLSignatureAlgorithm: String, Sendable, CaseIterable {
    case rsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    case rsaSHA384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
    case rsaSHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
    case ecdsaSHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    case ecdsaSHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
    case ecdsaSHA512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"
    /// Verification only, and only when explicitly allowed (SHA-1 is broken
    /// for collision resistance; xmldsig-core1 §6.4.2 deprecates it).
    case rsaSHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"

    /// The algorithm URI.
    public var uri: String { rawValue }

    /// Looks an algorithm up by URI (e.g. a `SigAlg` query parameter).
    public init?(uri: String) { self.init(rawValue: uri) }

    /// Whether the algorithm hashes with SHA-1.
    public var usesSHA1: Bool { self == .rsaSHA1 }

    /// The key type the algorithm needs.
    public var keyType: XMLKeyType {
        switch self {
        case .ecdsaSHA256, .ecdsaSHA384, .ecdsaSHA512: return .ec
        default: return .rsa
        }
    }

    var cValue: Int32 {
        switch self {
        case .rsaSHA256: return CX_SIG_RSA_SHA256
        case .rsaSHA384: return CX_SIG_RSA_SHA384
        case .rsaSHA512: return CX_SIG_RSA_SHA512
        case .ecdsaSHA256: return CX_SIG_ECDSA_SHA256
        case .ecdsaSHA384: return CX_SIG_ECDSA_SHA384
        case .ecdsaSHA512: return CX_SIG_ECDSA_SHA512
        case .rsaSHA1: return CX_SIG_RSA_SHA1
        }
    }
}

/// Reference digest algorithms (xmldsig-core §6.2, xmlenc-core1 §5.7).
public enum XMLDigestAlgorithm: String, Sendable, CaseIterable {
    case sha256 = "http://www.w3.org/2001/04/xmlenc#sha256"
    case sha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
    case sha512 = "http://www.w3.org/2001/04/xmlenc#sha512"

    public var uri: String { rawValue }

    var cValue: Int32 {
        switch self {
        case .sha256: return CX_DIGEST_SHA256
        case .sha384: return CX_DIGEST_SHA384
        case .sha512: return CX_DIGEST_SHA512
        }
    }
}

/// Block encryption algorithms for `xenc:EncryptedData` (xmlenc-core1 §5.2).
/// AES-GCM (§5.2.4) is the default; AES-CBC (§5.2.2) for SPs that need it.
public enum XMLEncryptionAlgorithm: String, Sendable, CaseIterable {
    case aes128CBC = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
    case aes256CBC = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
    case aes128GCM = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
    case aes256GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"

    public var uri: String { rawValue }

    var cValue: Int32 {
        switch self {
        case .aes128CBC: return CX_ENC_AES128_CBC
        case .aes256CBC: return CX_ENC_AES256_CBC
        case .aes128GCM: return CX_ENC_AES128_GCM
        case .aes256GCM: return CX_ENC_AES256_GCM
        }
    }
}

/// Key transport algorithms for `xenc:EncryptedKey` (xmlenc-core1 §5.5).
public enum XMLKeyTransportAlgorithm: String, Sendable, CaseIterable {
    /// RSA-OAEP with MGF1 and a SHA-1 OAEP digest (xmlenc-core1 §5.5.2), the
    /// combination SAML SPs commonly require. SHA-1 here only feeds OAEP padding.
    case rsaOAEP = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"

    public var uri: String { rawValue }

    var cValue: Int32 { CX_KT_RSA_OAEP_MGF1P }
}
