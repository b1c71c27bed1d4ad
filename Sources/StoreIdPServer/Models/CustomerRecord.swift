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
        segments = JSONText.array(customer.segments)
        companyName = customer.company.name
        companyVAT = customer.company.vat
        companyRole = customer.company.role
        attributes = JSONText.object(customer.attributes)
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

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// JSON text of a string list or a string map (keys sorted), written directly: JSONEncoder's
/// generic machinery cost more than the database insert on a large import. RFC 8259 §7 escaping.
enum JSONText {
    static func array(_ values: [String]) -> String {
        var out = "["
        for (index, value) in values.enumerated() {
            if index > 0 { out += "," }
            quote(value, into: &out)
        }
        return out + "]"
    }

    static func object(_ map: [String: String]) -> String {
        var out = "{"
        for (index, key) in map.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            quote(key, into: &out)
            out += ":"
            quote(map[key]!, into: &out)
        }
        return out + "}"
    }

    static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
