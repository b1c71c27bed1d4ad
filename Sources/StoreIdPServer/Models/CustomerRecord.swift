import Fluent
import Foundation
import StoreIdPCore

/// The `customers` table. Lists and maps are stored as JSON text so the same schema and the same
/// queries work on SQLite and PostgreSQL.
final class CustomerRecord: Model, @unchecked Sendable {
    static let schema = "customers"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    /// The lower-cased email: unique, what lookups compare.
    @Field(key: "email_key") var emailKey: String
    @OptionalField(key: "password_hash") var passwordHash: String?
    @OptionalField(key: "first_name") var firstName: String?
    @OptionalField(key: "last_name") var lastName: String?
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "customer_group") var group: String?
    @Field(key: "segments") var segments: String
    @OptionalField(key: "company_name") var companyName: String?
    @OptionalField(key: "company_vat") var companyVAT: String?
    @OptionalField(key: "company_role") var companyRole: String?
    @Field(key: "attributes") var attributes: String
    @OptionalField(key: "storefront_id") var storefrontID: String?
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// The domain value. Rows are written by `CustomerDirectory` (through `CustomerRow`), so they
    /// decode; a row edited by hand into something unreadable decodes with the unreadable parts empty.
    func customer() throws -> Customer {
        Customer(
            id: try requireID(),
            email: (try? EmailAddress(email)) ?? (try! EmailAddress("invalid@invalid.invalid")),
            passwordHash: passwordHash.flatMap { try? StoredPasswordHash(parsing: $0) },
            firstName: firstName, lastName: lastName, phone: phone, group: group,
            segments: Self.decode([String].self, segments) ?? [],
            company: Company(name: companyName, vat: companyVAT, role: companyRole),
            attributes: Self.decode([String: String].self, attributes) ?? [:],
            storefrontID: storefrontID,
            status: Customer.Status(rawValue: status) ?? .disabled,
            createdAt: createdAt, updatedAt: updatedAt
        )
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
