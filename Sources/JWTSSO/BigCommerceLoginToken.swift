import Foundation
import JWTKit
import StoreIdPCore

/// BigCommerce's Customer Login JWT (BigCommerce Dev Center, "Customer Login API"): HS256 signed
/// with the app's client secret, header `typ: JWT`, delivered as `{store}/login/token/{jwt}`.
///
/// Claims: `iss` (the app's client id), `iat` (BigCommerce honours it for 30 seconds, so it is
/// minted at the moment of the redirect), `jti` (unique; BigCommerce refuses a reused one),
/// `operation: "customer_login"`, `store_hash`, `customer_id` (BigCommerce's own integer id), and
/// optionally `channel_id`, `redirect_to` (a path on the store) and `request_ip`.
public struct BigCommerceLoginToken: Sendable {
    public let settings: ServiceProvider.BigCommerceSettings
    public let keys: SigningKeyCache

    public init(settings: ServiceProvider.BigCommerceSettings, keys: SigningKeyCache) {
        self.settings = settings
        self.keys = keys
    }

    public func claims(customerID: Int, now: Date, jti: String, redirectTo: String?, requestIP: String?) -> ClaimSet {
        var claims = ClaimSet([
            ("iss", .string(settings.clientID)),
            ("iat", .integer(Int(now.timeIntervalSince1970))),
            ("jti", .string(jti)),
            ("operation", .string("customer_login")),
            ("store_hash", .string(settings.storeHash)),
            ("customer_id", .integer(customerID)),
        ])
        if let channel = settings.channelID { claims.set("channel_id", .integer(channel)) }
        if let redirectTo { claims.set("redirect_to", .string(redirectTo)) }
        if let requestIP { claims.set("request_ip", .string(requestIP)) }
        return claims
    }

    /// The signed token and the storefront URL that signs the customer in with it.
    public func loginURL(claims: ClaimSet, environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> (token: String, url: String) {
        let secret: Data
        do { secret = try settings.clientSecret.resolve(environment: environment) } catch { throw JWTIssueError.secretUnavailable(error.description) }
        var header = JWTHeader()
        header.typ = "JWT"
        let token = try await keys.collection(secret: secret, algorithm: .hs256).sign(claims, header: header)
        return (token, "\(settings.storeURL)/login/token/\(token)")
    }

    /// A `redirect_to` value BigCommerce accepts and that cannot leave the store: a path starting
    /// with a single "/" (never an absolute or protocol-relative URL), at most 2048 bytes.
    public static func isSafeRedirectPath(_ path: String) -> Bool {
        path.hasPrefix("/") && !path.hasPrefix("//") && !path.contains("\\") && path.utf8.count <= 2048
            && !path.unicodeScalars.contains { $0.value < 0x21 || $0.value == 0x7F }
    }
}
