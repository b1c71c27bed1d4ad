import CXMLSec
import Foundation

/// Glue between the C shim's result codes and ``XMLSecurityError``.
enum CXMLSecBridge {
    static func lastError() -> String {
        guard let p = cx_last_error() else { return "" }
        return String(cString: p)
    }

    static func check(_ rc: Int32) throws(XMLSecurityError) {
        if rc == CX_OK { return }
        throw error(for: rc)
    }

    static func initialize() throws(XMLSecurityError) {
        let rc = cx_init()
        if rc != CX_OK {
            throw .libraryInitializationFailed(lastError())
        }
    }

    static func error(for rc: Int32, limits: XMLParseLimits = .default) -> XMLSecurityError {
        let m = lastError()
        switch rc {
        case CX_E_DOCTYPE: return .doctypeForbidden
        case CX_E_TOO_LARGE: return .tooLarge(limit: limits.maxBytes)
        case CX_E_TOO_DEEP: return .tooDeep(limit: limits.maxDepth)
        case CX_E_MALFORMED: return .malformed(m)
        case CX_E_INVALID_ARGUMENT: return .invalidArgument(m)
        case CX_E_MISSING_ID: return .missingID(m)
        case CX_E_DUPLICATE_ID: return .duplicateID(m)
        case CX_E_NO_SIGNATURE: return .signatureNotFound(m)
        case CX_E_MULTIPLE_SIGNATURES: return .multipleSignatures(m)
        case CX_E_REFERENCE: return .referenceMismatch(m)
        case CX_E_TRANSFORM: return .transformNotAllowed(m)
        case CX_E_ALGORITHM: return .algorithmNotAllowed(m)
        case CX_E_WEAK_ALGORITHM: return .weakAlgorithm(m)
        case CX_E_SIGNATURE_INVALID: return .signatureInvalid(m)
        case CX_E_KEY: return .invalidKey(m)
        case CX_E_CERTIFICATE: return .invalidCertificate(m)
        case CX_E_SIGN: return .signingFailed(m)
        case CX_E_ENCRYPT: return .encryptionFailed(m)
        case CX_E_DECRYPT: return .decryptionFailed(m)
        case CX_E_NOT_ENCRYPTED_DATA: return .notEncryptedData(m)
        case CX_E_INIT: return .libraryInitializationFailed(m)
        default: return .internalError(m.isEmpty ? "code \(rc)" : m)
        }
    }

    /// Takes ownership of a `char *` from the shim.
    static func takeString(_ p: UnsafeMutablePointer<CChar>?) -> String? {
        guard let p else { return nil }
        defer { cx_free(p) }
        return String(cString: p)
    }

    static func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let s else { return body(nil) }
        return s.withCString { body($0) }
    }

    /// Refuses strings that libxml2 would truncate (NUL) or that XML 1.0 cannot
    /// carry (control characters, U+FFFE/U+FFFF; XML 1.0 §2.2 Char).
    static func requireXMLText(_ s: String, what: String) throws(XMLSecurityError) {
        for scalar in s.unicodeScalars {
            let v = scalar.value
            let ok = v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF)
                || (v >= 0xE000 && v <= 0xFFFD) || v >= 0x10000
            if !ok {
                throw .invalidArgument("\(what) contains U+\(String(v, radix: 16, uppercase: true)), which XML cannot carry")
            }
        }
    }

    static func withBytes<R>(_ data: Data, _ body: (UnsafePointer<UInt8>?, Int) -> R) -> R {
        data.withUnsafeBytes { raw in
            body(raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
        }
    }
}

/// Information about the linked libraries (for health pages and tests).
public enum XMLSecurityLibrary {
    /// Initialises libxml2, xmlsec and its OpenSSL backend (once per process;
    /// every API call does this implicitly).
    public static func initialize() throws(XMLSecurityError) {
        try CXMLSecBridge.initialize()
    }

    /// The libxmlsec1 version the shim was compiled against, e.g. "1.2.37".
    public static var xmlsecVersion: String { String(cString: cx_xmlsec_version()) }

    /// The libxml2 version the shim was compiled against.
    public static var libxml2Version: String { String(cString: cx_libxml2_version()) }

    /// The ABI-shaping `-D` flags the shim defines before including xmlsec,
    /// in `pkg-config --cflags xmlsec1-openssl` spelling.
    public static var abiDefines: [String] {
        String(cString: cx_abi_defines()).split(separator: " ").map(String.init)
    }
}
