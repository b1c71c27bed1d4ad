import Fluent

/// Store sessions (`store_sessions`): the SHA-256 of the cookie's id (a copy of the table gives no
/// usable cookie), the session as JSON, and when it expires, so expired rows can be purged.
struct CreateStoreSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("store_sessions")
            .field("id_hash", .string, .identifier(auto: false))
            .field("data", .string, .required)
            .field("expires_at", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("store_sessions").delete()
    }
}
