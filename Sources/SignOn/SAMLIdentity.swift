import Foundation
import SAML
import StoreIdPCore
import XMLSecurity

/// This IdP as SAML sees it: its endpoints, the active signing key loaded into xmlsec once per
/// key (not per request), and the cache of partners' parsed certificates.
public final class SAMLIdentity: @unchecked Sendable {
    public let identityProvider: IdentityProvider
    public let certificates = SAMLCertificateCache()
    private let lock = NSLock()
    private var loaded: (kid: String, key: XMLSigningKey)?

    public init(baseURL: URL) {
        identityProvider = IdentityProvider(baseURL: baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString)
    }

    /// The xmlsec handle of `key`, loaded on first use and after a rotation.
    public func signingKey(_ key: SigningKey) throws -> XMLSigningKey {
        if let loaded = lock.withLock({ loaded }), loaded.kid == key.kid { return loaded.key }
        let handle = try XMLSigningKey(privateKeyPEM: key.privateKeyPEM, certificatePEM: key.certificatePEM)
        lock.withLock { loaded = (key.kid, handle) }
        return handle
    }

    public func responseBuilder(keyRing: KeyRing) throws -> SAMLResponseBuilder {
        guard let active = keyRing.active else { throw SAMLServiceError.noSigningKey }
        return SAMLResponseBuilder(identityProvider: identityProvider, signingKey: try signingKey(active), certificateCache: certificates)
    }

    public func logoutBuilder(keyRing: KeyRing) throws -> SingleLogoutBuilder {
        guard let active = keyRing.active else { throw SAMLServiceError.noSigningKey }
        return SingleLogoutBuilder(identityProvider: identityProvider, signingKey: try signingKey(active))
    }
}

/// The key ring has no active key (a rotation left none, or the key files are missing).
public enum SAMLServiceError: Error {
    case noSigningKey
}
