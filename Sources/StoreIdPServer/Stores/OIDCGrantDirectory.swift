import Fluent
import Foundation
import SQLKit
import SignOn

/// OpenID Connect grants and refresh tokens in the database, shared by every node. A code is
/// redeemed, and a refresh token rotated, by one conditional UPDATE … RETURNING: of two nodes
/// presented the same value at once, exactly one gets the row.
struct OIDCGrantDirectory: OIDCGrantStore {
    static let grants = "oidc_grants"
    static let refreshTokens = "oidc_refresh_tokens"

    let database: any Database

    func create(_ grant: OIDCGrant, codeDigest: String) async throws {
        try await database.sql.raw("""
            INSERT INTO oidc_grants (id, code_digest, client_id, provider_slug, customer_id, scope, nonce, auth_time, redirect_uri,
                code_challenge, issuer, subject, code_expires_at, expires_at)
            VALUES (\(bind: grant.id), \(bind: codeDigest), \(bind: grant.clientID), \(bind: grant.providerSlug), \(bind: grant.customerID),
                \(bind: grant.scopes.joined(separator: " ")), \(bind: grant.nonce), \(bind: grant.authTime.timeIntervalSince1970),
                \(bind: grant.redirectURI), \(bind: grant.codeChallenge), \(bind: grant.issuer), \(bind: grant.subject),
                \(bind: grant.codeExpiresAt.timeIntervalSince1970), \(bind: grant.expiresAt.timeIntervalSince1970))
            """).run()
    }

    func redeem(codeDigest: String, clientID: String, now: Date) async throws -> OIDCRedemption {
        let sql = try database.sql
        if let row = try await sql.raw("""
            UPDATE oidc_grants SET code_used_at = \(bind: now.timeIntervalSince1970)
            WHERE code_digest = \(bind: codeDigest) AND client_id = \(bind: clientID) AND code_used_at IS NULL
            RETURNING \(unsafeRaw: Self.columns)
            """).first() {
            return .redeemed(try Self.grant(from: row))
        }
        guard let row = try await sql.raw("""
            SELECT id FROM oidc_grants WHERE code_digest = \(bind: codeDigest) AND client_id = \(bind: clientID)
            """).first() else { return .unknown }
        return .reused(grantID: try row.decode(column: "id", as: String.self))
    }

    func grant(id: String) async throws -> OIDCGrant? {
        guard let row = try await database.sql.raw("SELECT \(unsafeRaw: Self.columns) FROM oidc_grants WHERE id = \(bind: id)").first() else { return nil }
        return try Self.grant(from: row)
    }

    func revoke(grantID: String, now: Date) async throws {
        let sql = try database.sql
        try await sql.raw("UPDATE oidc_grants SET revoked_at = \(bind: now.timeIntervalSince1970) WHERE id = \(bind: grantID) AND revoked_at IS NULL").run()
        try await sql.raw("UPDATE oidc_refresh_tokens SET used_at = \(bind: now.timeIntervalSince1970) WHERE grant_id = \(bind: grantID) AND used_at IS NULL").run()
    }

    func addRefreshToken(digest: String, grantID: String, expiresAt: Date) async throws {
        try await database.sql.raw("""
            INSERT INTO oidc_refresh_tokens (token_digest, grant_id, expires_at) VALUES (\(bind: digest), \(bind: grantID), \(bind: expiresAt.timeIntervalSince1970))
            """).run()
    }

    func rotate(refreshDigest: String, clientID: String, now: Date) async throws -> OIDCRedemption {
        let sql = try database.sql
        let ofClient: SQLQueryString = "grant_id IN (SELECT id FROM oidc_grants WHERE client_id = \(bind: clientID))"
        if let row = try await sql.raw("""
            UPDATE oidc_refresh_tokens SET used_at = \(bind: now.timeIntervalSince1970)
            WHERE token_digest = \(bind: refreshDigest) AND \(ofClient) AND used_at IS NULL AND expires_at > \(bind: now.timeIntervalSince1970)
            RETURNING grant_id
            """).first() {
            let grantID = try row.decode(column: "grant_id", as: String.self)
            guard let grant = try await grant(id: grantID) else { return .unknown }
            return .redeemed(grant)
        }
        guard let row = try await sql.raw("SELECT grant_id, used_at FROM oidc_refresh_tokens WHERE token_digest = \(bind: refreshDigest) AND \(ofClient)").first(),
              try row.decodeNil(column: "used_at") == false else { return .unknown }
        return .reused(grantID: try row.decode(column: "grant_id", as: String.self))
    }

    /// Deletes grants and refresh tokens past their end.
    static func purge(_ sql: any SQLDatabase, now: Date) async throws {
        let seconds = now.timeIntervalSince1970
        try await sql.delete(from: refreshTokens).where("expires_at", .lessThan, seconds).run()
        try await sql.delete(from: grants).where("expires_at", .lessThan, seconds).run()
    }

    private static let columns = """
        id, client_id, provider_slug, customer_id, scope, nonce, auth_time, redirect_uri, code_challenge, issuer, subject, code_expires_at, \
        expires_at, revoked_at
        """

    private static func grant(from row: any SQLRow) throws -> OIDCGrant {
        OIDCGrant(
            id: try row.decode(column: "id", as: String.self), clientID: try row.decode(column: "client_id", as: String.self),
            providerSlug: try row.decode(column: "provider_slug", as: String.self), customerID: try row.decode(column: "customer_id", as: UUID.self),
            scopes: try row.decode(column: "scope", as: String.self).split(separator: " ").map(String.init),
            nonce: try row.decode(column: "nonce", as: String?.self), authTime: Date(timeIntervalSince1970: try row.decode(column: "auth_time", as: Double.self)),
            redirectURI: try row.decode(column: "redirect_uri", as: String.self), codeChallenge: try row.decode(column: "code_challenge", as: String?.self),
            issuer: try row.decode(column: "issuer", as: String.self), subject: try row.decode(column: "subject", as: String.self),
            codeExpiresAt: Date(timeIntervalSince1970: try row.decode(column: "code_expires_at", as: Double.self)),
            expiresAt: Date(timeIntervalSince1970: try row.decode(column: "expires_at", as: Double.self)),
            revoked: try row.decode(column: "revoked_at", as: Double?.self) != nil)
    }
}
