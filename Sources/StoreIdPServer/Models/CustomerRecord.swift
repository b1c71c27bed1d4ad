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

    /// The domain value. Every column must decode: a row edited by hand into something unreadable
    /// is `CustomerRowError.unreadable` (customer id and column), never a silent default that the
    /// next save would write back over the stored value.
    func customer() throws(CustomerRowError) -> Customer {
        guard let id else { throw .missingID }
        func unreadable(_ column: String, _ reason: String) -> CustomerRowError {
            .unreadable(customerID: id, column: column, reason: reason)
        }
        guard let address = try? EmailAddress(email) else { throw unreadable("email", "not an email address") }
        var hash: StoredPasswordHash?
        if let passwordHash {
            // The hash itself stays out of the error: only its kind is described.
            do { hash = try StoredPasswordHash(parsing: passwordHash) } catch {
                throw unreadable("password_hash", "not a bcrypt or Magento 2 SHA-256 hash")
            }
        }
        guard let segments = Self.decode([String].self, segments) else { throw unreadable("segments", "not a JSON list of strings") }
        guard let attributes = Self.decode([String: String].self, attributes) else {
            throw unreadable("attributes", "not a JSON object of strings")
        }
        guard let status = Customer.Status(rawValue: status) else {
            throw unreadable("status", "'\(status.displaySafePrefix)' is neither active nor disabled")
        }
        return Customer(
            id: id, email: address, passwordHash: hash,
            firstName: firstName, lastName: lastName, phone: phone, group: group,
            segments: segments,
            company: Company(name: companyName, vat: companyVAT, role: companyRole),
            attributes: attributes,
            storefrontID: storefrontID,
            status: status,
            createdAt: createdAt, updatedAt: updatedAt
        )
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
