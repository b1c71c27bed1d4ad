import Crypto
import _CryptoExtras
import Foundation
import StoreIdPCore

/// One storefront's signature check (RFC 7515 §5.2 step 8), for exactly one algorithm: the key's.
struct StorefrontVerifier: Sendable {
    /// Every algorithm a storefront key can have (RFC 7518 §3.1); anything else, `none` included,
    /// is refused before a key is looked at.
    static let algorithms: Set<String> = ["HS256", "RS256", "ES256"]

    private enum Key: Sendable {
        case secret(SecretReference, environment: [String: String])
        case rsa(_RSA.Signing.PublicKey)
        case p256(P256.Signing.PublicKey)
    }

    let storefront: Storefront
    let algorithm: String
    private let key: Key

    init(_ storefront: Storefront, environment: [String: String]) throws(LaunchTokenVerifier.KeyError) {
        self.storefront = storefront
        self.algorithm = storefront.key.algorithm
        switch storefront.key {
        case let .hs256(reference):
            key = .secret(reference, environment: environment)
        case let .rs256(pem):
            do { key = .rsa(try _RSA.Signing.PublicKey(pemRepresentation: pem)) } catch {
                throw LaunchTokenVerifier.KeyError(issuer: storefront.issuer, problem: "the RSA public key cannot be read")
            }
        case let .es256(pem):
            do { key = .p256(try P256.Signing.PublicKey(pemRepresentation: pem)) } catch {
                throw LaunchTokenVerifier.KeyError(issuer: storefront.issuer, problem: "the P-256 public key cannot be read")
            }
        }
    }

    /// Whether `signature` is this key's signature of `input`. A storefront secret that is no
    /// longer set (or shorter than 32 bytes) verifies nothing.
    func isValid(signature: Data, for input: Data) -> Bool {
        switch key {
        case let .secret(reference, environment):
            guard let secret = try? reference.resolve(environment: environment), secret.count >= Storefront.minimumSecretBytes else {
                return false
            }
            return HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: input, using: SymmetricKey(data: secret))
        case let .rsa(publicKey):
            // RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with SHA-256.
            return publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature),
                                              for: SHA256.hash(data: input), padding: .insecurePKCS1v1_5)
        case let .p256(publicKey):
            // RFC 7518 §3.4: the 64-byte R || S form, not DER.
            guard signature.count == 64, let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return publicKey.isValidSignature(ecdsa, for: SHA256.hash(data: input))
        }
    }
}
