import _CryptoExtras
import Crypto
import Foundation
import X509

/// Makes new signing keys: RSA-2048 with a self-signed X.509 certificate.
///
/// SAML partners pin the certificate from our metadata rather than a CA chain (saml-metadata
/// §2.4.1.1 KeyDescriptor), so a self-signed certificate is what they expect; its validity is
/// long (ten years) because rotation, not expiry, is how keys are replaced.
public struct SigningKeyFactory: Sendable {
    public static let certificateLifetime: TimeInterval = 10 * 365.25 * 24 * 3600

    /// The certificate's common name: the host of the public base URL.
    public let commonName: String

    public init(commonName: String) {
        self.commonName = commonName
    }

    public func makeKey(state: SigningKey.State, now: Date) throws -> SigningKey {
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let kid = try Self.thumbprint(of: privateKey.publicKey)
        let name = try DistinguishedName { CommonName(commonName) }
        let notBefore = now.addingTimeInterval(-300)
        let notAfter = now.addingTimeInterval(Self.certificateLifetime)
        var serial = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in serial.indices { serial[index] = generator.next() }
        serial[0] &= 0x7F
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(bytes: serial),
            publicKey: Certificate.PublicKey(privateKey.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: name,
            subject: name,
            signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
            },
            issuerPrivateKey: Certificate.PrivateKey(privateKey)
        )
        return SigningKey(
            kid: kid, algorithm: .rs256, state: state, createdAt: now,
            activatedAt: state == .active ? now : nil, notAfter: notAfter,
            privateKeyPEM: privateKey.pemRepresentation,
            certificatePEM: try certificate.serializeAsPEM().pemString
        )
    }

    /// The RFC 7638 JWK thumbprint: base64url(SHA-256 of `{"e":…,"kty":"RSA","n":…}`), a `kid`
    /// any partner can recompute from the public key itself.
    public static func thumbprint(of publicKey: _RSA.Signing.PublicKey) throws -> String {
        let primitives = try publicKey.getKeyPrimitives()
        let json = "{\"e\":\"\(Base64URL.encode(primitives.publicExponent))\",\"kty\":\"RSA\",\"n\":\"\(Base64URL.encode(primitives.modulus))\"}"
        return Base64URL.encode(Data(SHA256.hash(data: Data(json.utf8))))
    }
}

/// base64url without padding (RFC 4648 §5), as JOSE uses it.
public enum Base64URL {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
