import Fluent
import Foundation
import SignOn

/// The remembered BigCommerce customer ids, in `bigcommerce_customer_links`.
struct BigCommerceLinkStore: BigCommerceCustomerLinks {
    let database: any Database

    func bigCommerceID(storeHash: String, customerID: UUID) async throws -> Int? {
        try await BigCommerceCustomerLink.query(on: database)
            .filter(\.$storeHash == storeHash).filter(\.$customerID == customerID).first()?.bigCommerceID
    }

    func remember(storeHash: String, customerID: UUID, bigCommerceID: Int, now: Date) async throws {
        try await BigCommerceCustomerLink(storeHash: storeHash, customerID: customerID, bigCommerceID: bigCommerceID, createdAt: now).create(on: database)
    }
}
