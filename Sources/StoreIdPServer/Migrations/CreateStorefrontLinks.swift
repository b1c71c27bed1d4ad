import Fluent

/// The `storefront_links` table (see `StorefrontLinkRecord`). A link goes with its customer.
struct CreateStorefrontLinks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StorefrontLinkRecord.schema)
            .id()
            .field("issuer", .string, .required)
            .field("subject", .string, .required)
            .field("customer_id", .uuid, .required, .references("customers", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .unique(on: "issuer", "subject", name: "storefront_links_issuer_subject")
            .unique(on: "issuer", "customer_id", name: "storefront_links_issuer_customer")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StorefrontLinkRecord.schema).delete()
    }
}
