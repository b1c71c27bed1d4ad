import Foundation
import StoreIdPCore

/// A customer as the admin API shows it. Every key is always present (`null` when the customer
/// has no value), names follow the import format (`first_name`, `company.vat`, …), and the
/// password hash is never part of it: not even whether there is one.
struct AdminCustomerJSON: Encodable, Sendable {
    let customer: Customer

    init(_ customer: Customer) { self.customer = customer }

    private enum Keys: String, CodingKey {
        case id, email, first_name, last_name, phone, group, segments, company, storefront_id, status, attributes, created_at, updated_at
    }

    private enum CompanyKeys: String, CodingKey { case name, vat, role }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(customer.id.uuidString.lowercased(), forKey: .id)
        try container.encode(customer.email.value, forKey: .email)
        try container.encode(customer.firstName, forKey: .first_name)
        try container.encode(customer.lastName, forKey: .last_name)
        try container.encode(customer.phone, forKey: .phone)
        try container.encode(customer.group, forKey: .group)
        try container.encode(customer.segments, forKey: .segments)
        var company = container.nestedContainer(keyedBy: CompanyKeys.self, forKey: .company)
        try company.encode(customer.company.name, forKey: .name)
        try company.encode(customer.company.vat, forKey: .vat)
        try company.encode(customer.company.role, forKey: .role)
        try container.encode(customer.storefrontID, forKey: .storefront_id)
        try container.encode(customer.status.rawValue, forKey: .status)
        try container.encode(customer.attributes, forKey: .attributes)
        try container.encode(customer.createdAt, forKey: .created_at)
        try container.encode(customer.updatedAt, forKey: .updated_at)
    }
}

/// `{"customers": [...], "page": n, "per_page": 50, "total": n}`.
struct AdminCustomerPageJSON: Encodable, Sendable {
    let customers: [AdminCustomerJSON]
    let page: Int
    let per_page: Int
    let total: Int
}
