import Fluent
import Foundation
import JWTSSO
import SQLKit
import StoreIdPCore
import Vapor

/// Console sessions of admin accounts, apart from customers' store sessions: their own table
/// and cookie (`storeidp_admin`, HttpOnly, SameSite=Strict, path `/admin`), an idle timeout of
/// 30 minutes and an absolute one of 8 hours (OWASP Session Management Cheat Sheet, "Session
/// Expiration"). The table holds the SHA-256 of each id; a sign-in makes a new id.
struct AdminSessions {
    static let table = "admin_sessions"
    static let idleTimeout: TimeInterval = 30 * 60
    static let absoluteTimeout: TimeInterval = 8 * 3600
    static func cookieName(secure: Bool) -> String { secure ? "__Host-storeidp_admin" : "storeidp_admin" }

    let database: any Database

    /// A new session for `account`; the value to set as the cookie.
    func start(for account: AdminAccounts.Account, now: Date) async throws -> String {
        let id = IdentifierGenerator.secret(byteCount: 32)
        try await database.sql.raw("""
            INSERT INTO admin_sessions (id_digest, admin_id, email, created_at, last_seen_at)
            VALUES (\(bind: OpaqueTokenDigest.of(id)), \(bind: account.id), \(bind: account.email), \(bind: now.timeIntervalSince1970), \(bind: now.timeIntervalSince1970))
            """).run()
        return id
    }

    /// The admin of a live session (and the session's last use moved to now, at most once a minute).
    func identity(id: String, now: Date) async throws -> AdminIdentity? {
        guard id.utf8.count <= 128 else { return nil }
        let digest = OpaqueTokenDigest.of(id)
        guard let row = try await database.sql.raw("""
            SELECT admin_id, email, created_at, last_seen_at FROM admin_sessions WHERE id_digest = \(bind: digest)
            """).first() else { return nil }
        let created = try row.decode(column: "created_at", as: Double.self)
        let lastSeen = try row.decode(column: "last_seen_at", as: Double.self)
        let seconds = now.timeIntervalSince1970
        guard seconds - lastSeen < Self.idleTimeout, seconds - created < Self.absoluteTimeout else {
            try await end(id: id)
            return nil
        }
        if seconds - lastSeen > 60 {
            try await database.sql.raw("UPDATE admin_sessions SET last_seen_at = \(bind: seconds) WHERE id_digest = \(bind: digest)").run()
        }
        return .account(id: try row.decode(column: "admin_id", as: UUID.self), email: try row.decode(column: "email", as: String.self))
    }

    func end(id: String) async throws {
        try await database.sql.raw("DELETE FROM admin_sessions WHERE id_digest = \(bind: OpaqueTokenDigest.of(id))").run()
    }

    /// Sessions past either timeout (run by `Purge`).
    static func purge(_ sql: any SQLDatabase, now: Date) async throws {
        let seconds = now.timeIntervalSince1970
        try await sql.raw("""
            DELETE FROM admin_sessions WHERE last_seen_at < \(bind: seconds - idleTimeout) OR created_at < \(bind: seconds - absoluteTimeout)
            """).run()
    }
}

struct CreateAdminSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AdminSessions.table)
            .field("id_digest", .string, .identifier(auto: false))
            .field("admin_id", .uuid, .required)
            .field("email", .string, .required)
            .field("created_at", .double, .required)
            .field("last_seen_at", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AdminSessions.table).delete()
    }
}

/// Console pages need a signed-in admin: anyone else is sent to `/admin/login`.
struct AdminConsoleAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let name = AdminSessions.cookieName(secure: request.storeIdP.settings.usesHTTPS)
        guard let id = request.cookies[name]?.string,
              let identity = try await AdminSessions(database: request.db).identity(id: id, now: request.now) else {
            if request.method == .GET {
                var components = URLComponents()
                components.path = "/admin/login"
                components.queryItems = [URLQueryItem(name: "return_to", value: request.url.path)]
                return request.redirect(to: components.string ?? "/admin/login", redirectType: .normal)
            }
            throw PageError(.unauthorized, "Your admin session has ended. Please sign in again.")
        }
        request.storage[AdminIdentityKey.self] = identity
        return try await next.respond(to: request)
    }
}
