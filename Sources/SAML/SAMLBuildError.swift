import XMLSecurity

/// Why StoreIdP could not build an outgoing SAML message or its metadata.
/// These are configuration or key problems on our side, for the operator.
public enum SAMLBuildError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A published or recipient certificate cannot be read; `which` says whose.
    case unusableCertificate(which: String, detail: String)
    /// Assertion encryption is configured but the service provider has no encryption certificate.
    case noEncryptionCertificate(entityID: String)
    /// The service provider has no single logout endpoint with a binding StoreIdP can use.
    case noSingleLogoutService(entityID: String)
    /// RelayState longer than 80 bytes (saml-bindings §3.4.3, §3.5.3).
    case relayStateTooLong(bytes: Int)
    /// A value cannot be written into XML (control characters) or building failed.
    case xml(XMLSecurityError)
    /// Compression failed.
    case deflate(RawDeflateError)

    public var description: String {
        switch self {
        case let .unusableCertificate(which, detail): return "the \(which) certificate cannot be used: \(detail)"
        case let .noEncryptionCertificate(entityID): return "assertions for \(entityID) must be encrypted, but it has no encryption certificate"
        case let .noSingleLogoutService(entityID): return "\(entityID) has no SingleLogoutService with the HTTP-Redirect or HTTP-POST binding"
        case let .relayStateTooLong(bytes): return "RelayState is \(bytes) bytes; SAML allows at most 80"
        case let .xml(error): return "building the SAML message failed: \(error)"
        case let .deflate(error): return "compressing the SAML message failed: \(error)"
        }
    }
}
