import Foundation
import SQLKit
import StoreIdPCore

/// The `customers` columns as SQLKit binds them, for the import path (see `upsert`).
struct CustomerRow {
    static let columns = ["id", "email", "email_key", "password_hash", "first_name", "last_name", "phone", "customer_group",
                          "segments", "company_name", "company_vat", "company_role", "attributes", "storefront_id", "status",
                          "created_at", "updated_at"]

    let id: UUID
    let email: String
    let email_key: String
    let password_hash: String?
    let first_name: String?
    let last_name: String?
    let phone: String?
    let customer_group: String?
    let segments: String
    let company_name: String?
    let company_vat: String?
    let company_role: String?
    let attributes: String
    let storefront_id: String?
    let status: String
    let created_at: Date
    let updated_at: Date

    init(_ customer: Customer) {
        id = customer.id
        email = customer.email.value
        email_key = customer.email.key
        password_hash = customer.passwordHash?.storageString
        first_name = customer.firstName
        last_name = customer.lastName
        phone = customer.phone
        customer_group = customer.group
        segments = JSONText.array(customer.segments)
        company_name = customer.company.name
        company_vat = customer.company.vat
        company_role = customer.company.role
        attributes = JSONText.object(customer.attributes)
        storefront_id = customer.storefrontID
        status = customer.status.rawValue
        created_at = customer.createdAt
        updated_at = customer.updatedAt
    }

    /// Every column's bind, in `columns` order.
    var values: [any SQLExpression] {
        [SQLBind(id), SQLBind(email), SQLBind(email_key), SQLBind(password_hash), SQLBind(first_name), SQLBind(last_name),
         SQLBind(phone), SQLBind(customer_group), SQLBind(segments), SQLBind(company_name), SQLBind(company_vat),
         SQLBind(company_role), SQLBind(attributes), SQLBind(storefront_id), SQLBind(status), SQLBind(created_at), SQLBind(updated_at)]
    }

    /// The stored customer; a row that does not decode is `CustomerRowError` (see `CustomerRecord.customer()`).
    static func customer(from row: any SQLRow) throws -> Customer {
        let record = CustomerRecord()
        record.id = try row.decode(column: "id", as: UUID.self)
        record.email = try row.decode(column: "email", as: String.self)
        record.emailKey = try row.decode(column: "email_key", as: String.self)
        record.passwordHash = try row.decode(column: "password_hash", as: String?.self)
        record.firstName = try row.decode(column: "first_name", as: String?.self)
        record.lastName = try row.decode(column: "last_name", as: String?.self)
        record.phone = try row.decode(column: "phone", as: String?.self)
        record.group = try row.decode(column: "customer_group", as: String?.self)
        record.segments = try row.decode(column: "segments", as: String.self)
        record.companyName = try row.decode(column: "company_name", as: String?.self)
        record.companyVAT = try row.decode(column: "company_vat", as: String?.self)
        record.companyRole = try row.decode(column: "company_role", as: String?.self)
        record.attributes = try row.decode(column: "attributes", as: String.self)
        record.storefrontID = try row.decode(column: "storefront_id", as: String?.self)
        record.status = try row.decode(column: "status", as: String.self)
        record.createdAt = try row.decode(column: "created_at", as: Date.self)
        record.updatedAt = try row.decode(column: "updated_at", as: Date.self)
        return try record.customer()
    }
}
