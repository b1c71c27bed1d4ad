import Foundation
import JWTKit
import StoreIdPCore

/// jwt-kit key collections for the key ring's keys and the providers' shared secrets, built once
/// per key and reused: parsing a PEM or setting up an HMAC key on every token would cost more
/// than signing it.
public actor SigningKeyCache {
    private var collections: [String: JWTKeyCollection] = [:]

    public init() {}

    /// A collection holding `key` under its kid for `algorithm` (RS256, PS256 or ES256).
    public func collection(for key: SigningKey, algorithm: ServiceProvider.JWTSettings.Algorithm) async throws -> JWTKeyCollection {
        let cacheKey = "\(algorithm.rawValue):\(key.kid)"
        if let cached = collections[cacheKey] { return cached }
        let collection = JWTKeyCollection()
        let kid = JWKIdentifier(string: key.kid)
        switch algorithm {
        case .rs256:
            await collection.add(rsa: try Insecure.RSA.PrivateKey(pem: key.privateKeyPEM), digestAlgorithm: .sha256, kid: kid)
        case .ps256:
            await collection.add(pss: try Insecure.RSA.PrivateKey(pem: key.privateKeyPEM), digestAlgorithm: .sha256, kid: kid)
        case .es256:
            await collection.add(ecdsa: try ES256PrivateKey(pem: key.privateKeyPEM), kid: kid)
        case .hs256, .hs384, .hs512:
            throw JWTIssueError.keyMismatch("\(algorithm.rawValue) does not sign with the key ring")
        }
        store(collection, as: cacheKey)
        return collection
    }

    /// A collection holding an HMAC secret, without kid (the partner knows its secret).
    public func collection(secret: Data, algorithm: ServiceProvider.JWTSettings.Algorithm) async throws -> JWTKeyCollection {
        let cacheKey = "\(algorithm.rawValue):hmac:" + Base64URL.encode(SHA256Digest.of(secret))
        if let cached = collections[cacheKey] { return cached }
        let collection = JWTKeyCollection()
        let key = HMACKey(key: SymmetricKey(data: secret))
        switch algorithm {
        case .hs256: await collection.add(hmac: key, digestAlgorithm: .sha256)
        case .hs384: await collection.add(hmac: key, digestAlgorithm: .sha384)
        case .hs512: await collection.add(hmac: key, digestAlgorithm: .sha512)
        default: throw JWTIssueError.keyMismatch("\(algorithm.rawValue) does not sign with a shared secret")
        }
        store(collection, as: cacheKey)
        return collection
    }

    private func store(_ collection: JWTKeyCollection, as key: String) {
        if collections.count > 256 { collections.removeAll() }
        collections[key] = collection
    }
}

import Crypto

enum SHA256Digest {
    static func of(_ data: Data) -> [UInt8] { Array(SHA256.hash(data: data)) }
}
