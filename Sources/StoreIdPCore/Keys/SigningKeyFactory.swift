import _CryptoExtras
import Crypto
import Foundation
import X509

/// Makes new signing keys: RSA-2048 or ECDSA P-256, each with a self-signed X.509 certificate.
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

    public func makeKey(algorithm: SigningKey.Algorithm = .rs256, state: SigningKey.State, now: Date) throws -> SigningKey {
        let kid: String
        let publicKey: Certificate.PublicKey
        let issuerKey: Certificate.PrivateKey
        let signatureAlgorithm: Certificate.SignatureAlgorithm
        let privateKeyPEM: String
        switch algorithm {
        case .rs256:
            let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            kid = try Self.thumbprint(of: privateKey.publicKey)
            publicKey = Certificate.PublicKey(privateKey.publicKey)
            issuerKey = Certificate.PrivateKey(privateKey)
            signatureAlgorithm = .sha256WithRSAEncryption
            privateKeyPEM = privateKey.pemRepresentation
        case .es256:
            let privateKey = P256.Signing.PrivateKey()
            kid = Self.thumbprint(of: privateKey.publicKey)
            publicKey = Certificate.PublicKey(privateKey.publicKey)
            issuerKey = Certificate.PrivateKey(privateKey)
            signatureAlgorithm = .ecdsaWithSHA256
            privateKeyPEM = privateKey.pemRepresentation
        }
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
            publicKey: publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: name,
            subject: name,
            signatureAlgorithm: signatureAlgorithm,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: algorithm == .rs256))
            },
            issuerPrivateKey: issuerKey
        )
        return SigningKey(
            kid: kid, algorithm: algorithm, state: state, createdAt: now,
            activatedAt: state == .active ? now : nil, notAfter: notAfter,
            privateKeyPEM: privateKeyPEM,
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

extension SigningKeyFactory {
    /// RFC 7638 §3.2 for an EC key: SHA-256 of `{"crv":"P-256","kty":"EC","x":…,"y":…}`.
    public static func thumbprint(of publicKey: P256.Signing.PublicKey) -> String {
        let point = publicKey.x963Representation
        let x = Base64URL.encode(point.dropFirst().prefix(32))
        let y = Base64URL.encode(point.dropFirst(33))
        let json = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"\(x)\",\"y\":\"\(y)\"}"
        return Base64URL.encode(Data(SHA256.hash(data: Data(json.utf8))))
    }
}

/// base64url without padding (RFC 4648 §5), as JOSE uses it.
public enum Base64URL {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let base64 = Data(bytes).base64EncodedData()
        var out = [UInt8]()
        out.reserveCapacity(base64.count)
        for byte in base64 {
            switch byte {
            case UInt8(ascii: "+"): out.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
