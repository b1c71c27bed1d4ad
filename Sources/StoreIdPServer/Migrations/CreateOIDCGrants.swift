import Fluent
import SQLKit

/// OpenID Connect grants (one per authorization code; the family of its refresh tokens) and
/// refresh tokens. Codes and refresh tokens are stored as SHA-256 digests only; times are Unix
/// seconds, as in `replay_cache`.
struct CreateOIDCGrants: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OIDCGrantDirectory.grants)
            .field("id", .string, .identifier(auto: false))
            .field("code_digest", .string, .required)
            .field("client_id", .string, .required)
            .field("provider_slug", .string, .required)
            .field("customer_id", .uuid, .required)
            .field("scope", .string, .required)
            .field("nonce", .string)
            .field("auth_time", .double, .required)
            .field("redirect_uri", .string, .required)
            .field("code_challenge", .string)
            .field("issuer", .string, .required)
            .field("subject", .string, .required)
            .field("code_expires_at", .double, .required)
            .field("code_used_at", .double)
            .field("revoked_at", .double)
            .field("expires_at", .double, .required)
            .unique(on: "code_digest")
            .create()
        try await database.schema(OIDCGrantDirectory.refreshTokens)
            .field("token_digest", .string, .identifier(auto: false))
            .field("grant_id", .string, .required)
            .field("expires_at", .double, .required)
            .field("used_at", .double)
            .create()
        // The lookups of an OIDC client by its client id and its B2C path; unique, so two
        // providers can never answer for the same client.
        let sql = try database.sql
        try await sql.raw("ALTER TABLE service_providers ADD COLUMN oidc_client_id TEXT").run()
        try await sql.raw("ALTER TABLE service_providers ADD COLUMN azure_b2c_path TEXT").run()
        try await sql.raw("CREATE UNIQUE INDEX service_providers_oidc_client_id ON service_providers (oidc_client_id)").run()
        try await sql.raw("CREATE UNIQUE INDEX service_providers_azure_b2c_path ON service_providers (azure_b2c_path)").run()
        try await sql.raw("CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens (grant_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OIDCGrantDirectory.refreshTokens).delete()
        try await database.schema(OIDCGrantDirectory.grants).delete()
        let sql = try database.sql
        try await sql.raw("DROP INDEX IF EXISTS service_providers_oidc_client_id").run()
        try await sql.raw("DROP INDEX IF EXISTS service_providers_azure_b2c_path").run()
        try await sql.raw("ALTER TABLE service_providers DROP COLUMN oidc_client_id").run()
        try await sql.raw("ALTER TABLE service_providers DROP COLUMN azure_b2c_path").run()
    }
}
