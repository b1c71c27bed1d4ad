import Fluent
import Foundation
import JWTSSO
import SQLKit
import StoreIdPCore
import Vapor

/// Who made an admin change: the deployment's `STOREIDP_ADMIN_TOKEN`, or an admin account (by
/// its email), as the audit trail names it.
enum AdminIdentity: Sendable, Equatable, CustomStringConvertible {
    case deploymentToken
    case account(id: UUID, email: String)

    var description: String {
        switch self {
        case .deploymentToken: return "admin-token"
        case let .account(_, email): return "admin:\(email)"
        }
    }

    /// How the console names the signed-in admin.
    var displayName: String {
        switch self {
        case .deploymentToken: return "admin token"
        case let .account(_, email): return email
        }
    }
}

/// Admin accounts (separate from customers) and the API tokens they create, in the database.
/// Passwords are bcrypt hashes; tokens are kept as SHA-256 digests and shown once.
struct AdminAccounts {
    static let accounts = "admin_accounts"
    static let tokens = "admin_api_tokens"
    /// A token is 32 random bytes, base64url, prefixed so that a leaked one is recognisable.
    static let tokenPrefix = "sidp_"

    let database: any Database

    struct Account: Sendable, Equatable {
        let id: UUID
        let email: String
        let passwordHash: String
    }

    func account(email: String) async throws -> Account? {
        let key = email.trimmingWhitespace().lowercased()
        guard !key.isEmpty, key.utf8.count <= EmailAddress.maximumLength else { return nil }
        guard let row = try await database.sql.raw("SELECT id, email, password_hash FROM admin_accounts WHERE email = \(bind: key)").first() else {
            return nil
        }
        return Account(id: try row.decode(column: "id", as: UUID.self), email: try row.decode(column: "email", as: String.self),
                       passwordHash: try row.decode(column: "password_hash", as: String.self))
    }

    /// Creates the account, or sets the password of the one with that email.
    func save(email: String, passwordHash: String, now: Date) async throws -> (Account, created: Bool) {
        let address = try EmailAddress(email)
        let key = address.value.lowercased()
        if let existing = try await account(email: key) {
            try await database.sql.raw("UPDATE admin_accounts SET password_hash = \(bind: passwordHash) WHERE id = \(bind: existing.id)").run()
            return (Account(id: existing.id, email: key, passwordHash: passwordHash), false)
        }
        let id = UUID()
        try await database.sql.raw("""
            INSERT INTO admin_accounts (id, email, password_hash, created_at) VALUES (\(bind: id), \(bind: key), \(bind: passwordHash), \(bind: now.timeIntervalSince1970))
            """).run()
        return (Account(id: id, email: key, passwordHash: passwordHash), true)
    }

    /// A new API token for `account`: the value to show once; only its digest is stored.
    func createToken(for account: Account, name: String, now: Date) async throws -> String {
        let token = Self.tokenPrefix + IdentifierGenerator.secret(byteCount: 32)
        try await database.sql.raw("""
            INSERT INTO admin_api_tokens (token_digest, admin_id, name, created_at)
            VALUES (\(bind: OpaqueTokenDigest.of(token)), \(bind: account.id), \(bind: String(name.prefix(100))), \(bind: now.timeIntervalSince1970))
            """).run()
        return token
    }

    /// The account a presented API token belongs to.
    func identity(token: String) async throws -> AdminIdentity? {
        guard token.hasPrefix(Self.tokenPrefix), token.utf8.count <= 128 else { return nil }
        guard let row = try await database.sql.raw("""
            SELECT a.id, a.email FROM admin_api_tokens t JOIN admin_accounts a ON a.id = t.admin_id WHERE t.token_digest = \(bind: OpaqueTokenDigest.of(token))
            """).first() else { return nil }
        return .account(id: try row.decode(column: "id", as: UUID.self), email: try row.decode(column: "email", as: String.self))
    }
}

struct CreateAdminAccounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AdminAccounts.accounts)
            .field("id", .uuid, .identifier(auto: false))
            .field("email", .string, .required)
            .field("password_hash", .string, .required)
            .field("created_at", .double, .required)
            .unique(on: "email")
            .create()
        try await database.schema(AdminAccounts.tokens)
            .field("token_digest", .string, .identifier(auto: false))
            .field("admin_id", .uuid, .required)
            .field("name", .string, .required)
            .field("created_at", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AdminAccounts.tokens).delete()
        try await database.schema(AdminAccounts.accounts).delete()
    }
}
