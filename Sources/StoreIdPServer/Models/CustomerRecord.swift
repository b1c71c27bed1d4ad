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

    init(_ customer: Customer) {
        self.id = customer.id
        self.createdAt = customer.createdAt
        copy(from: customer)
    }

    /// Overwrites every stored field with the customer's values.
    func copy(from customer: Customer) {
        email = customer.email.value
        emailKey = customer.email.key
        passwordHash = customer.passwordHash?.storageString
        firstName = customer.firstName
        lastName = customer.lastName
        phone = customer.phone
        group = customer.group
        segments = Self.encode(customer.segments)
        companyName = customer.company.name
        companyVAT = customer.company.vat
        companyRole = customer.company.role
        attributes = Self.encode(customer.attributes)
        storefrontID = customer.storefrontID
        status = customer.status.rawValue
        updatedAt = customer.updatedAt
    }

    /// The domain value. Rows are written only through `copy(from:)`, so they decode; a row
    /// edited by hand into something unreadable decodes with the unreadable parts empty.
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

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func encode<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
