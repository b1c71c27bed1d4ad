import Foundation
import XMLSecurity

/// Parsed service provider certificates, kept across requests so that a
/// request's signature check does not parse PEM again. Keyed by the PEM text,
/// so a rotated certificate is simply a new entry. Safe to share between tasks.
///
/// ```swift
/// let cache = SAMLCertificateCache()                    // one per process
/// let validator = AuthnRequestValidator(identityProvider: idp, certificateCache: cache)
/// ```
public final class SAMLCertificateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var parsed: [String: XMLCertificate] = [:]
    private let capacity: Int

    public init(capacity: Int = 1024) { self.capacity = capacity }

    /// The certificates for these PEM texts, parsing only the ones not seen before.
    public func certificates(_ pems: [String]) throws(XMLSecurityError) -> [XMLCertificate] {
        var result: [XMLCertificate] = []
        result.reserveCapacity(pems.count)
        for pem in pems {
            if let hit = lock.withLock({ parsed[pem] }) {
                result.append(hit)
                continue
            }
            let certificate = try XMLCertificate(pem: pem)
            lock.withLock {
                if parsed.count >= capacity { parsed.removeAll(keepingCapacity: true) }
                parsed[pem] = certificate
            }
            result.append(certificate)
        }
        return result
    }
}
