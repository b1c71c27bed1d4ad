import Crypto
import Foundation
import JWTKit
import StoreIdPCore

/// Signs the tokens of the OpenID provider with the key ring's active key of the client's
/// algorithm: ID tokens (OpenID Connect Core 1.0 §2, header `typ: JWT`) and JWT access tokens
/// (RFC 9068 §2.1, header `typ: at+jwt`). The `kid` names the key in the JWKS.
public struct OpenIDTokenSigner: Sendable {
    /// RFC 9068 §2.1: "Resource servers MUST verify that the typ header value is at+jwt".
    public static let accessTokenType = "at+jwt"
    public static let idTokenType = "JWT"

    public let keys: SigningKeyCache

    public init(keys: SigningKeyCache) { self.keys = keys }

    public func sign(_ claims: ClaimSet, type: String, algorithm: ServiceProvider.OIDCSettings.Algorithm, keyRing: KeyRing) async throws -> String {
        guard let key = keyRing.active(algorithm.signingKeyAlgorithm) else { throw JWTIssueError.noActiveKey(algorithm.rawValue) }
        let jwtAlgorithm: ServiceProvider.JWTSettings.Algorithm = algorithm == .es256 ? .es256 : .rs256
        let collection = try await keys.collection(for: key, algorithm: jwtAlgorithm)
        var header = JWTHeader()
        header.typ = type
        return try await collection.sign(claims, kid: JWKIdentifier(string: key.kid), header: header)
    }

    /// `at_hash` (OpenID Connect Core 1.0 §3.1.3.6): the left half of the SHA-256 of the access
    /// token's ASCII octets, base64url. SHA-256 is the hash of both RS256 and ES256.
    public static func accessTokenHash(_ accessToken: String) -> String {
        let digest = Array(SHA256.hash(data: Data(accessToken.utf8)))
        return Base64URL.encode(digest.prefix(digest.count / 2))
    }
}
