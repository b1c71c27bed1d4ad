import Fluent

struct CreateCustomers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(CustomerRecord.schema)
            .id()
            .field("email", .string, .required)
            .field("email_key", .string, .required)
            .field("password_hash", .string)
            .field("first_name", .string)
            .field("last_name", .string)
            .field("phone", .string)
            .field("customer_group", .string)
            .field("segments", .string, .required)
            .field("company_name", .string)
            .field("company_vat", .string)
            .field("company_role", .string)
            .field("attributes", .string, .required)
            .field("storefront_id", .string)
            .field("status", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "email_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(CustomerRecord.schema).delete()
    }
}
