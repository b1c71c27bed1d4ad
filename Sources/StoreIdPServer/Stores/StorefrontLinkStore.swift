import Fluent
import Foundation
import SQLKit
import StoreIdPCore

/// The bindings of storefront customers (iss, sub) to StoreIdP customers, shared by every node
/// through the database.
struct StorefrontLinks: Sendable {
    let database: any Database

    func find(issuer: String, subject: String) async throws -> StorefrontLink? {
        try await StorefrontLinkRecord.query(on: database)
            .filter(\.$issuer == issuer).filter(\.$subject == subject).first()?.link
    }

    func find(issuer: String, customerID: UUID) async throws -> StorefrontLink? {
        try await StorefrontLinkRecord.query(on: database)
            .filter(\.$issuer == issuer).filter(\.$customerID == customerID).first()?.link
    }

    /// Every link of one customer, whatever the storefront (`LaunchProfilePolicy` refuses a
    /// customer linked to another storefront).
    func find(customerID: UUID) async throws -> [StorefrontLink] {
        try await StorefrontLinkRecord.query(on: database).filter(\.$customerID == customerID).all().map(\.link)
    }

    /// Binds (issuer, subject) to the customer in one INSERT that the unique indexes decide.
    /// Returns true when the pair is now bound to this customer (also when it already was), false
    /// when the pair is bound to another customer or this customer to another subject of the issuer.
    func bind(issuer: String, subject: String, customerID: UUID, now: Date) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else {
            throw StorefrontLinkStoreError.notSQL
        }
        try await sql.insert(into: StorefrontLinkRecord.schema)
            .columns("id", "issuer", "subject", "customer_id", "created_at")
            .values(SQLBind(UUID()), SQLBind(issuer), SQLBind(subject), SQLBind(customerID), SQLBind(now))
            .ignoringConflicts()
            .run()
        return try await find(issuer: issuer, subject: subject)?.customerID == customerID
    }
}

enum StorefrontLinkStoreError: Error, CustomStringConvertible {
    case notSQL
    var description: String { "storefront links need an SQL database" }
}
