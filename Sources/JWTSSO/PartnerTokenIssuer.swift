import Foundation
import JWTKit
import StoreIdPCore

/// Issues the JWT a generic JWT partner receives (RFC 7519, with RFC 8725's rules: the algorithm
/// is the one registered for the partner, `kid` on asymmetric tokens, `typ: JWT`, and iss, aud,
/// sub, iat, nbf, exp and jti always present).
public struct PartnerTokenIssuer: Sendable {
    public let issuer: String
    public let keys: SigningKeyCache

    public init(issuer: String, keys: SigningKeyCache) {
        self.issuer = issuer
        self.keys = keys
    }

    /// The claims, in order: registered claims, the provider's constant claims, then the payload.
    public func claims(provider: ServiceProvider, subject: String, payload: ProvisioningPayload, now: Date, jti: String) -> ClaimSet {
        let issuedAt = Int(now.timeIntervalSince1970)
        var claims = ClaimSet([
            ("iss", .string(issuer)),
            ("aud", .string(provider.effectiveAudience)),
            ("sub", .string(subject)),
            ("iat", .integer(issuedAt)),
            ("nbf", .integer(issuedAt)),
            ("exp", .integer(issuedAt + provider.lifetimeSeconds)),
            ("jti", .string(jti)),
        ])
        let reserved: Set<String> = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"]
        for (name, value) in (provider.jwt?.extraClaims ?? [:]).sorted(by: { $0.key < $1.key }) where !reserved.contains(name) {
            claims.set(name, .string(value))
        }
        for value in payload.values where !reserved.contains(value.name) {
            claims.set(value.name, value.values.count == 1 ? .string(value.values[0]) : .strings(value.values))
        }
        return claims
    }

    /// Signs `claims` as the provider's settings say: HS* with its secret, RS256/PS256/ES256
    /// with the key ring's active key of that kind (its kid in the header).
    public func sign(_ claims: ClaimSet, provider: ServiceProvider, keyRing: KeyRing, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> String {
        guard let settings = provider.jwt else { throw JWTIssueError.notConfigured(provider.slug) }
        var header = JWTHeader()
        header.typ = "JWT"
        if let keyAlgorithm = settings.algorithm.signingKeyAlgorithm {
            guard let key = keyRing.active(keyAlgorithm) else { throw JWTIssueError.noActiveKey(keyAlgorithm.rawValue) }
            let collection = try await keys.collection(for: key, algorithm: settings.algorithm)
            return try await collection.sign(claims, kid: JWKIdentifier(string: key.kid), header: header)
        }
        guard let reference = settings.secret else { throw JWTIssueError.secretUnavailable("no secret configured") }
        let secret: Data
        do { secret = try reference.resolve(environment: environment) } catch { throw JWTIssueError.secretUnavailable(error.description) }
        let collection = try await keys.collection(secret: secret, algorithm: settings.algorithm)
        return try await collection.sign(claims, header: header)
    }
}
