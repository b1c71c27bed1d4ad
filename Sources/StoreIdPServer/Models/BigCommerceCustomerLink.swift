import Fluent
import Foundation

/// `bigcommerce_customer_links`: which BigCommerce customer id a StoreIdP customer has in one
/// BigCommerce store, remembered after the first lookup or creation so later logins make no
/// API call. Written only after the API answered, so a failed call leaves no half-made link.
final class BigCommerceCustomerLink: Model, @unchecked Sendable {
    static let schema = "bigcommerce_customer_links"

    @ID(key: .id) var id: UUID?
    @Field(key: "store_hash") var storeHash: String
    @Field(key: "customer_id") var customerID: UUID
    @Field(key: "bigcommerce_id") var bigCommerceID: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(storeHash: String, customerID: UUID, bigCommerceID: Int, createdAt: Date) {
        self.id = UUID()
        self.storeHash = storeHash
        self.customerID = customerID
        self.bigCommerceID = bigCommerceID
        self.createdAt = createdAt
    }
}

struct CreateBigCommerceCustomerLinks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(BigCommerceCustomerLink.schema)
            .id()
            .field("store_hash", .string, .required)
            .field("customer_id", .uuid, .required)
            .field("bigcommerce_id", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "store_hash", "customer_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(BigCommerceCustomerLink.schema).delete()
    }
}
