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

    /// The NumericDates (RFC 7519 §2) a launch token may carry: 1970-01-01 to 9999-12-31. A value
    /// outside is refused while the token is decoded, before any arithmetic is done with it, so
    /// `exp - iat` or `exp + skew` can never overflow.
    public static let validTimes: ClosedRange<Int> = 0...253_402_300_799

    /// An `iat` or `exp` that is not an integer in `validTimes`.
    public struct InvalidTime: Error, Sendable, Equatable {
        public let claim: String
    }

    public init(iss: String, aud: String, sub: String, email: String, givenName: String? = nil, familyName: String? = nil,
                phoneNumber: String? = nil, group: String? = nil, segments: [String]? = nil, company: String? = nil,
                iat: Int, exp: Int, jti: String) {
        self.iss = iss
        self.aud = aud
        self.sub = sub
        self.email = email
        self.givenName = givenName
        self.familyName = familyName
        self.phoneNumber = phoneNumber
        self.group = group
        self.segments = segments
        self.company = company
        self.iat = iat
        self.exp = exp
        self.jti = jti
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decode(String.self, forKey: .iss)
        aud = try container.decode(String.self, forKey: .aud)
        sub = try container.decode(String.self, forKey: .sub)
        email = try container.decode(String.self, forKey: .email)
        givenName = try container.decodeIfPresent(String.self, forKey: .givenName)
        familyName = try container.decodeIfPresent(String.self, forKey: .familyName)
        phoneNumber = try container.decodeIfPresent(String.self, forKey: .phoneNumber)
        group = try container.decodeIfPresent(String.self, forKey: .group)
        segments = try container.decodeIfPresent([String].self, forKey: .segments)
        company = try container.decodeIfPresent(String.self, forKey: .company)
        iat = try Self.time(container, .iat)
        exp = try Self.time(container, .exp)
        jti = try container.decode(String.self, forKey: .jti)
    }

    private static func time(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int {
        guard container.contains(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: container.codingPath, debugDescription: "\(key.stringValue) is missing"))
        }
        guard let value = try? container.decode(Int.self, forKey: key), validTimes.contains(value) else {
            throw InvalidTime(claim: key.stringValue)
        }
        return value
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

/// Checks a launch token: size, header, the storefront its `iss` names, that storefront's
/// algorithm and key, then every claim.
///
/// ```swift
/// let verifier = try LaunchTokenVerifier(audience: "https://id.shop.example", storefronts: storefronts)
/// let token = try await verifier.verify(query.token, now: clock.now)
/// let storefront = verifier.storefront(issuer: token.iss)!
/// ```
public struct LaunchTokenVerifier: Sendable {
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        case tooLarge(Int)
        case malformed
        case algorithmNotAllowed(String)
        case unknownIssuer(String)
        case badSignature
        case wrongAudience(String)
        case expired
        case notYetValid
        case lifetimeTooLong(Int)
        case invalidTime(String)
        case missingClaim(String)
        case replayed
        case invalidCustomer(String)

        public var description: String {
            switch self {
            case let .tooLarge(size): return "the launch token is \(size) bytes; at most \(LaunchTokenVerifier.maximumTokenBytes) are accepted"
            case .malformed: return "the launch token is not a well-formed JWT"
            case let .algorithmNotAllowed(alg): return "launch tokens signed with '\(alg.displaySafePrefix)' are not accepted from this storefront"
            case let .unknownIssuer(iss): return "the launch token comes from '\(iss.displaySafePrefix)', which is not a registered storefront"
            case .badSignature: return "the launch token's signature does not verify with the storefront's key"
            case let .wrongAudience(aud): return "the launch token is for '\(aud.displaySafePrefix)', not for this StoreIdP"
            case .expired: return "the launch link has expired; go back to the store and click it again"
            case .notYetValid: return "the launch token is not valid yet"
            case let .lifetimeTooLong(seconds): return "the launch token lives \(seconds) s; at most \(LaunchTokenVerifier.maximumLifetime) s are accepted"
            case let .invalidTime(claim): return "the launch token's \(claim.displaySafePrefix) is not a time between 1970 and 9999 (whole seconds), or exp is before iat"
            case let .missingClaim(name): return "the launch token has no \(name)"
            case .replayed: return "this launch link has already been used; go back to the store and click it again"
            case let .invalidCustomer(reason): return "the launch token's customer is invalid: \(reason)"
            }
        }
    }

    /// Why a storefront could not be made into a verifier (a public key that does not parse).
    public struct KeyError: Error, Sendable, Equatable, CustomStringConvertible {
        public let issuer: String
        public let problem: String
        public var description: String { "storefront '\(issuer.displaySafePrefix)': \(problem)" }
    }

    public static let maximumTokenBytes = 8192
    /// exp − iat: a launch token is minted for the click that follows it (RFC 8725 §3.10).
    public static let maximumLifetime = 120
    public static let clockSkew = 30

    public let audience: String
    private let verifiers: [String: StorefrontVerifier]

    /// A verifier for these storefronts. Public keys are parsed once here; HS256 secrets are
    /// resolved from `environment` for each token, so a rotated secret takes effect at once.
    public init(audience: String, storefronts: [Storefront],
                environment: [String: String] = ProcessInfo.processInfo.environment) throws(KeyError) {
        var verifiers: [String: StorefrontVerifier] = [:]
        for storefront in storefronts {
            verifiers[storefront.issuer] = try StorefrontVerifier(storefront, environment: environment)
        }
        self.audience = audience
        self.verifiers = verifiers
    }

    /// The registered storefront with this `iss`.
    public func storefront(issuer: String) -> Storefront? { verifiers[issuer]?.storefront }

    public func verify(_ token: String, now: Date) async throws(Rejection) -> LaunchToken {
        guard token.utf8.count <= Self.maximumTokenBytes else { throw .tooLarge(token.utf8.count) }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(String(parts[0])),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
              let payloadData = Base64URL.decode(String(parts[1])),
              let payload = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any],
              let signature = Base64URL.decode(String(parts[2])) else { throw .malformed }
        guard let alg = header["alg"] as? String else { throw .malformed }
        // RFC 8725 §3.1: the algorithm is ours to choose, never the token's; `none` never verifies.
        guard StorefrontVerifier.algorithms.contains(alg) else { throw .algorithmNotAllowed(alg) }
        guard let iss = payload["iss"] as? String, !iss.isEmpty else { throw .missingClaim("iss") }
        // RFC 8725 §3.8: the issuer decides the key, and the key decides the algorithm.
        guard let verifier = verifiers[iss] else { throw .unknownIssuer(iss) }
        guard alg == verifier.algorithm else { throw .algorithmNotAllowed(alg) }
        let signingInput = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard verifier.isValid(signature: signature, for: signingInput) else { throw .badSignature }

        let claims: LaunchToken
        do {
            claims = try JSONDecoder().decode(LaunchToken.self, from: payloadData)
        } catch let error as LaunchToken.InvalidTime {
            throw .invalidTime(error.claim)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .missingClaim(key.stringValue)
        } catch {
            throw .missingClaim(Self.missingClaim(in: payload))
        }
        guard claims.aud == audience else { throw .wrongAudience(claims.aud) }
        // iat and exp are within LaunchToken.validTimes, so none of this can overflow.
        guard claims.exp >= claims.iat else { throw .invalidTime("exp") }
        let lifetime = claims.exp - claims.iat
        guard lifetime <= Self.maximumLifetime else { throw .lifetimeTooLong(lifetime) }
        let nowSeconds = Self.seconds(now)
        guard claims.exp > nowSeconds.subtractingClamped(Self.clockSkew) else { throw .expired }
        guard claims.iat <= nowSeconds.addingClamped(Self.clockSkew) else { throw .notYetValid }
        guard !claims.jti.isEmpty, claims.jti.utf8.count <= 256 else { throw .missingClaim("jti") }
        guard !claims.sub.isEmpty, claims.sub.utf8.count <= 255 else { throw .missingClaim("sub") }
        guard !claims.email.isEmpty else { throw .missingClaim("email") }
        do { _ = try claims.profile.validate() } catch { throw .invalidCustomer(error.description) }
        return claims
    }

    /// Whole seconds since 1970 of a clock reading, clamped so no clock value can trap.
    static func seconds(_ date: Date) -> Int {
        let value = date.timeIntervalSince1970.rounded(.down)
        guard value.isFinite else { return value > 0 ? Int.max : Int.min }
        if value >= 9.0e18 { return Int.max }
        if value <= -9.0e18 { return Int.min }
        return Int(value)
    }

    static func missingClaim(in object: [String: Any]) -> String {
        for name in ["iss", "aud", "sub", "email", "iat", "exp", "jti"] where object[name] == nil { return name }
        return "valid claims"
    }
}

extension Int {
    func addingClamped(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    func subtractingClamped(_ other: Int) -> Int {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : difference
    }
}
