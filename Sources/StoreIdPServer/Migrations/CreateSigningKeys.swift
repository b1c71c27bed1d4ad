import Fluent
import SQLKit

/// The key ring in the database (`DatabaseKeyRing`): `signing_keys`, one row per key with its
/// private key sealed by the key-encryption key, and `key_ring`, one row with the ring's version
/// and generation and the sealed pairwise secret. Times are Unix seconds, as elsewhere.
struct CreateSigningKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DatabaseKeyRing.keysTable)
            .field("kid", .string, .identifier(auto: false))
            .field("algorithm", .string, .required)
            .field("state", .string, .required)
            .field("created_at", .double, .required)
            .field("activated_at", .double)
            .field("retired_at", .double)
            .field("not_after", .double, .required)
            .field("certificate_pem", .string, .required)
            .field("sealed_private_key", .string, .required)
            .create()
        try await database.schema(DatabaseKeyRing.ringTable)
            .field("id", .int, .identifier(auto: false))
            .field("version", .int64, .required)
            .field("generation", .string, .required)
            .field("sealed_pairwise_secret", .string, .required)
            .field("updated_at", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DatabaseKeyRing.ringTable).delete()
        try await database.schema(DatabaseKeyRing.keysTable).delete()
    }
}
