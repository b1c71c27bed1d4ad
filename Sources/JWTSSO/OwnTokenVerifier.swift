import Crypto
import _CryptoExtras
import Foundation
import StoreIdPCore

/// Verifies a JWT that StoreIdP signed itself: an access token presented at userinfo (RFC 6750,
/// RFC 9068 §4) or an ID token given back as `id_token_hint` (OpenID Connect RP-Initiated Logout
/// 1.0 §2). The `kid` must name a key of the ring and the header's `alg` must be that key's
/// (RFC 8725 §3.1: the key decides the algorithm; `none` never verifies). Claims are returned
/// unchecked: what is acceptable (issuer, expiry, audience) is the caller's rule.
public struct OwnTokenVerifier: Sendable {
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed
        case tooLarge
        case unknownKey
        case wrongType
        case badSignature

        public var description: String {
            switch self {
            case .malformed: return "the token is not a signed JWT"
            case .tooLarge: return "the token is too large"
            case .unknownKey: return "the token was not signed with a key of this provider"
            case .wrongType: return "the token is not of the expected type"
            case .badSignature: return "the token's signature does not verify"
            }
        }
    }

    public static let maximumTokenBytes = 8192

    private let publicKeys: PublicKeyCache

    public init() { publicKeys = PublicKeyCache() }

    /// The claims of `token` when its signature verifies with a ring key and its `typ` is `type`
    /// (case-insensitively, RFC 7515 §4.1.9; `application/` prefix allowed).
    public func verify(_ token: String, type: String?, keyRing: KeyRing) throws(Rejection) -> [String: Any] {
        guard token.utf8.count <= Self.maximumTokenBytes else { throw .tooLarge }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(String(parts[0])),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
              let payloadData = Base64URL.decode(String(parts[1])),
              let claims = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any],
              let signature = Base64URL.decode(String(parts[2])),
              let alg = header["alg"] as? String, let kid = header["kid"] as? String else { throw .malformed }
        guard let key = keyRing.key(kid: kid), key.algorithm.rawValue == alg else { throw .unknownKey }
        if let type {
            let typ = (header["typ"] as? String)?.lowercased()
            guard typ == type.lowercased() || typ == "application/" + type.lowercased() else { throw .wrongType }
        }
        let input = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard let publicKey = publicKeys.key(for: key), publicKey.isValid(signature: signature, for: input) else { throw .badSignature }
        return claims
    }

    /// Public keys parsed once per kid.
    final class PublicKeyCache: @unchecked Sendable {
        enum PublicKey {
            case rsa(_RSA.Signing.PublicKey)
            case p256(P256.Signing.PublicKey)

            func isValid(signature: Data, for input: Data) -> Bool {
                switch self {
                case let .rsa(key):
                    // RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with SHA-256.
                    return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature),
                                                for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
                case let .p256(key):
                    // RFC 7518 §3.4: R || S, 64 bytes.
                    guard signature.count == 64, let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
                    return key.isValidSignature(ecdsa, for: SHA256.hash(data: input))
                }
            }
        }

        private let lock = NSLock()
        private var keys: [String: PublicKey] = [:]

        func key(for signingKey: SigningKey) -> PublicKey? {
            if let cached = lock.withLock({ keys[signingKey.kid] }) { return cached }
            let parsed: PublicKey?
            switch signingKey.algorithm {
            case .rs256: parsed = (try? _RSA.Signing.PrivateKey(pemRepresentation: signingKey.privateKeyPEM)).map { .rsa($0.publicKey) }
            case .es256: parsed = (try? P256.Signing.PrivateKey(pemRepresentation: signingKey.privateKeyPEM)).map { .p256($0.publicKey) }
            }
            if let parsed {
                lock.withLock {
                    if keys.count > 64 { keys.removeAll() }
                    keys[signingKey.kid] = parsed
                }
            }
            return parsed
        }
    }
}
