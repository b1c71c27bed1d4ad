import Fluent

/// Storefronts registered by `providers apply` (`storefronts:`): the issuer and the validated
/// `Storefront` as JSON.
struct CreateStorefronts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("storefronts")
            .field("issuer", .string, .identifier(auto: false))
            .field("definition", .string, .required)
            .field("updated_at", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("storefronts").delete()
    }
}
