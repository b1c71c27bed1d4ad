import _CryptoExtras
import Crypto
import Foundation
import StoreIdPCore

/// The JWK Set (RFC 7517 §5) of every published key: RSA keys with `n`/`e`, EC keys with
/// `crv`/`x`/`y` (RFC 7518 §6), each with `kid`, `use: sig`, `alg` and its certificate in `x5c`.
public struct JSONWebKeySet: Encodable, Sendable {
    public struct Key: Encodable, Sendable {
        public let kty: String
        public let kid: String
        public let use: String
        public let alg: String
        public let n: String?
        public let e: String?
        public let crv: String?
        public let x: String?
        public let y: String?
        public let x5c: [String]
    }

    public let keys: [Key]

    public init(keys signingKeys: [SigningKey]) throws {
        keys = try signingKeys.map { key in
            let certificate = Self.derBase64(fromPEM: key.certificatePEM)
            switch key.algorithm {
            case .rs256:
                let primitives = try _RSA.Signing.PrivateKey(pemRepresentation: key.privateKeyPEM).publicKey.getKeyPrimitives()
                return Key(kty: "RSA", kid: key.kid, use: "sig", alg: "RS256", n: Base64URL.encode(primitives.modulus),
                           e: Base64URL.encode(primitives.publicExponent), crv: nil, x: nil, y: nil, x5c: certificate.map { [$0] } ?? [])
            case .es256:
                let point = try P256.Signing.PrivateKey(pemRepresentation: key.privateKeyPEM).publicKey.x963Representation
                return Key(kty: "EC", kid: key.kid, use: "sig", alg: "ES256", n: nil, e: nil, crv: "P-256",
                           x: Base64URL.encode(point.dropFirst().prefix(32)), y: Base64URL.encode(point.dropFirst(33)),
                           x5c: certificate.map { [$0] } ?? [])
            }
        }
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// x5c carries standard base64 DER (RFC 7517 §4.7), which is the PEM body without line breaks.
    static func derBase64(fromPEM pem: String) -> String? {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return body.isEmpty ? nil : body
    }
}
