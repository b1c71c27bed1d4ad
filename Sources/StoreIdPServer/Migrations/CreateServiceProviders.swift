import Fluent

struct CreateServiceProviders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ServiceProviderRecord.schema)
            .field("slug", .string, .identifier(auto: false))
            .field("protocol", .string, .required)
            .field("entity_id", .string)
            .field("definition", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "entity_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ServiceProviderRecord.schema).delete()
    }
}

struct CreateAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEventRecord.schema)
            .id()
            .field("occurred_at", .datetime, .required)
            .field("kind", .string, .required)
            .field("service_provider", .string)
            .field("customer_id", .uuid)
            .field("subject_id", .string)
            .field("client_address", .string)
            .field("detail", .string)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEventRecord.schema).delete()
    }
}

/// Values that may be used once (SAML request IDs, launch token `jti`s), until they expire.
struct CreateReplayCache: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("replay_cache")
            .field("entry_key", .string, .identifier(auto: false))
            .field("expires_at", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("replay_cache").delete()
    }
}
