import Crypto
import _CryptoExtras
import Foundation

/// A storefront whose backend may mint launch tokens (`/launch/{slug}?token=…`): the `iss` its
/// tokens carry, the one key they are verified with, and which access-deciding fields it may
/// change on a customer who already exists.
///
/// Each storefront has its own key, so one storefront cannot speak for another: a token is
/// verified with the key of the storefront its `iss` names, with that key's algorithm only
/// (RFC 8725 §3.1 and §3.8).
public struct Storefront: Sendable, Hashable, Codable {
    /// Profile fields that decide what a customer may reach (`AccessPolicy` matches on them).
    /// A storefront changes them on an existing customer only when it is trusted with them.
    public enum TrustedField: String, Sendable, Hashable, CaseIterable, Codable {
        case group
        case segments
        case company
    }

    /// What a storefront's tokens are verified with; the algorithm follows from the key.
    public enum VerificationKey: Sendable, Hashable, Codable {
        /// A shared secret of at least `Storefront.minimumSecretBytes` (RFC 7518 §3.2), resolved
        /// when a token is verified so a rotated secret takes effect without re-applying.
        case hs256(SecretReference)
        /// An RSA public key (PEM, at least 2048 bits: RFC 7518 §3.3).
        case rs256(publicKeyPEM: String)
        /// A P-256 public key (PEM, RFC 7518 §3.4).
        case es256(publicKeyPEM: String)

        /// The JWS `alg` this key verifies (RFC 7518 §3.1); every other `alg` is refused.
        public var algorithm: String {
            switch self {
            case .hs256: return "HS256"
            case .rs256: return "RS256"
            case .es256: return "ES256"
            }
        }

        /// Reads a public key PEM and takes the algorithm from the key's type: RSA → RS256,
        /// P-256 → ES256.
        public static func publicKey(pem: String) throws(PublicKeyError) -> VerificationKey {
            guard !pem.contains("PRIVATE KEY") else { throw .privateKey }
            if let rsa = try? _RSA.Signing.PublicKey(pemRepresentation: pem) {
                guard rsa.keySizeInBits >= 2048 else { throw .rsaTooShort(bits: rsa.keySizeInBits) }
                return .rs256(publicKeyPEM: pem)
            }
            if (try? P256.Signing.PublicKey(pemRepresentation: pem)) != nil { return .es256(publicKeyPEM: pem) }
            throw .unsupported
        }
    }

    /// Why a storefront's public key was refused.
    public enum PublicKeyError: Error, Sendable, Equatable, CustomStringConvertible {
        case privateKey
        case rsaTooShort(bits: Int)
        case unsupported

        public var description: String {
            switch self {
            case .privateKey: return "this is a private key; give the storefront's public key (keep the private key on the storefront)"
            case let .rsaTooShort(bits): return "the RSA key has \(bits) bits; at least 2048 are needed (RFC 7518 §3.3)"
            case .unsupported: return "not an RSA or P-256 public key in PEM form (RS256 and ES256 are accepted)"
            }
        }
    }

    public static let minimumSecretBytes = 32

    /// The `iss` of this storefront's tokens (RFC 7519 §4.1.1), compared exactly.
    public var issuer: String
    public var key: VerificationKey
    public var trustedFields: Set<TrustedField>

    public init(issuer: String, key: VerificationKey, trustedFields: Set<TrustedField> = []) {
        self.issuer = issuer
        self.key = key
        self.trustedFields = trustedFields
    }

    /// The storefront named by `STOREIDP_LAUNCH_SECRET` and `STOREIDP_LAUNCH_ISSUER`: shorthand for
    /// one HS256 storefront that is trusted with no field. Nil when neither is set; both are needed.
    public static func fromEnvironment(_ environment: [String: String]) throws(ProviderValidationError) -> Storefront? {
        let secret = environment["STOREIDP_LAUNCH_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        let issuer = environment["STOREIDP_LAUNCH_ISSUER"].flatMap { $0.isEmpty ? nil : $0 }
        switch (secret, issuer) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw ProviderValidationError("STOREIDP_LAUNCH_ISSUER", "is not set; STOREIDP_LAUNCH_SECRET needs the iss of the storefront that uses it")
        case (nil, .some):
            throw ProviderValidationError("STOREIDP_LAUNCH_SECRET", "is not set; STOREIDP_LAUNCH_ISSUER needs the storefront's HS256 secret")
        case let (secret?, issuer?):
            guard secret.utf8.count >= minimumSecretBytes else {
                throw ProviderValidationError("STOREIDP_LAUNCH_SECRET", "is \(secret.utf8.count) bytes; at least \(minimumSecretBytes) are needed (RFC 7518 §3.2)")
            }
            try ServiceProviderRegistration.checkText(issuer, path: "STOREIDP_LAUNCH_ISSUER", limit: StorefrontRegistration.maximumIssuerBytes)
            return Storefront(issuer: issuer, key: .hs256(.environment("STOREIDP_LAUNCH_SECRET")))
        }
    }
}
