import Foundation
import Crypto
import JWTKit
import StoreIdPCore

/// The voucher a storefront's backend signs for its signed-in customer: `/launch/{slug}?token=…`.
///
/// Claims: `iss` (the storefront), `aud` (StoreIdP's base URL), `sub` (the storefront's customer
/// id), `email`, optional `given_name`, `family_name`, `phone_number`, `group`, `segments`,
/// `company`, and `iat`, `exp` (at most 120 s after `iat`), `jti` (single use).
public struct LaunchToken: Sendable, Equatable, JWTPayload {
    public let iss: String
    public let aud: String
    public let sub: String
    public let email: String
    public let givenName: String?
    public let familyName: String?
    public let phoneNumber: String?
    public let group: String?
    public let segments: [String]?
    public let company: String?
    public let iat: Int
    public let exp: Int
    public let jti: String

    enum CodingKeys: String, CodingKey {
        case iss, aud, sub, email, givenName = "given_name", familyName = "family_name", phoneNumber = "phone_number"
        case group, segments, company, iat, exp, jti
    }

    /// Claims are checked by `LaunchTokenVerifier` with its own clock.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// What the token says about the customer, as a profile to create or refresh them with.
    public var profile: CustomerProfile {
        var profile = CustomerProfile(email: email)
        profile.firstName = givenName
        profile.lastName = familyName
        profile.phone = phoneNumber
        profile.group = group
        profile.segments = segments
        profile.companyName = company
        profile.storefrontID = sub
        return profile
    }
}

/// Checks a launch token: size, header, signature, then every claim.
public struct LaunchTokenVerifier: Sendable {
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        case tooLarge(Int)
        case malformed
        case algorithmNotAllowed(String)
        case badSignature
        case wrongAudience(String)
        case expired
        case notYetValid
        case lifetimeTooLong(Int)
        case missingClaim(String)
        case replayed
        case invalidCustomer(String)

        public var description: String {
            switch self {
            case let .tooLarge(size): return "the launch token is \(size) bytes; at most \(LaunchTokenVerifier.maximumTokenBytes) are accepted"
            case .malformed: return "the launch token is not a well-formed JWT"
            case let .algorithmNotAllowed(alg): return "launch tokens signed with '\(alg.displaySafePrefix)' are not accepted"
            case .badSignature: return "the launch token's signature does not verify"
            case let .wrongAudience(aud): return "the launch token is for '\(aud.displaySafePrefix)', not for this StoreIdP"
            case .expired: return "the launch link has expired; go back to the store and click it again"
            case .notYetValid: return "the launch token is not valid yet"
            case let .lifetimeTooLong(seconds): return "the launch token lives \(seconds) s; at most \(LaunchTokenVerifier.maximumLifetime) s are accepted"
            case let .missingClaim(name): return "the launch token has no \(name)"
            case .replayed: return "this launch link has already been used; go back to the store and click it again"
            case let .invalidCustomer(reason): return "the launch token's customer is invalid: \(reason)"
            }
        }
    }

    public static let maximumTokenBytes = 8192
    /// exp − iat: a launch token is minted for the click that follows it (RFC 8725 §3.10).
    public static let maximumLifetime = 120
    public static let clockSkew = 30

    public let audience: String
    public let keys: JWTKeyCollection

    /// A verifier of HS256 tokens signed with the storefronts' launch secret.
    public static func hs256(secret: Data, audience: String) async -> LaunchTokenVerifier {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        return LaunchTokenVerifier(audience: audience, keys: keys)
    }

    public init(audience: String, keys: JWTKeyCollection) {
        self.audience = audience
        self.keys = keys
    }

    public func verify(_ token: String, now: Date) async throws(Rejection) -> LaunchToken {
        guard token.utf8.count <= Self.maximumTokenBytes else { throw .tooLarge(token.utf8.count) }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(String(parts[0])),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else { throw .malformed }
        guard let alg = header["alg"] as? String else { throw .malformed }
        // RFC 8725 §3.1: the algorithm is ours to choose, never the token's.
        guard alg == "HS256" else { throw .algorithmNotAllowed(alg) }
        let claims: LaunchToken
        do {
            claims = try await keys.verify(token, as: LaunchToken.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch {
            if (try? await keys.verify(token, as: ClaimSet.self)) != nil { throw .missingClaim(Self.missingClaim(in: token)) }
            throw .badSignature
        }
        guard claims.aud == audience else { throw .wrongAudience(claims.aud) }
        let nowSeconds = Int(now.timeIntervalSince1970)
        guard claims.exp - claims.iat <= Self.maximumLifetime else { throw .lifetimeTooLong(claims.exp - claims.iat) }
        guard claims.exp > nowSeconds - Self.clockSkew else { throw .expired }
        guard claims.iat <= nowSeconds + Self.clockSkew else { throw .notYetValid }
        guard !claims.jti.isEmpty, claims.jti.utf8.count <= 256 else { throw .missingClaim("jti") }
        guard !claims.email.isEmpty else { throw .missingClaim("email") }
        do { _ = try claims.profile.validate() } catch { throw .invalidCustomer(error.description) }
        return claims
    }

    static func missingClaim(in token: String) -> String {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let data = Base64URL.decode(String(parts[1])),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return "valid claims" }
        for name in ["iss", "aud", "sub", "email", "iat", "exp", "jti"] where object[name] == nil { return name }
        return "valid claims"
    }
}
