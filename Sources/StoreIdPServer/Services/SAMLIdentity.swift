import Foundation
import SAML
import StoreIdPCore
import XMLSecurity

/// This IdP as SAML sees it: its endpoints, the active signing key loaded into xmlsec once per
/// key (not per request), and the cache of partners' parsed certificates.
final class SAMLIdentity: @unchecked Sendable {
    let identityProvider: IdentityProvider
    let certificates = SAMLCertificateCache()
    private let lock = NSLock()
    private var loaded: (kid: String, key: XMLSigningKey)?

    init(baseURL: URL) {
        identityProvider = IdentityProvider(baseURL: baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString)
    }

    /// The xmlsec handle of `key`, loaded on first use and after a rotation.
    func signingKey(_ key: SigningKey) throws -> XMLSigningKey {
        if let loaded = lock.withLock({ loaded }), loaded.kid == key.kid { return loaded.key }
        let handle = try XMLSigningKey(privateKeyPEM: key.privateKeyPEM, certificatePEM: key.certificatePEM)
        lock.withLock { loaded = (key.kid, handle) }
        return handle
    }

    func responseBuilder(keyRing: KeyRing) throws -> SAMLResponseBuilder {
        guard let active = keyRing.active else { throw SAMLServiceError.noSigningKey }
        return SAMLResponseBuilder(identityProvider: identityProvider, signingKey: try signingKey(active))
    }

    func logoutBuilder(keyRing: KeyRing) throws -> SingleLogoutBuilder {
        guard let active = keyRing.active else { throw SAMLServiceError.noSigningKey }
        return SingleLogoutBuilder(identityProvider: identityProvider, signingKey: try signingKey(active))
    }
}

enum SAMLServiceError: Error {
    case noSigningKey
}
