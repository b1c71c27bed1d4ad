import Foundation

/// A person known to the store: the identity every partner service receives.
public struct Customer: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case active
        case disabled
    }

    public var id: UUID
    public var email: EmailAddress
    public var passwordHash: StoredPasswordHash?
    public var firstName: String?
    public var lastName: String?
    public var phone: String?
    /// The customer group (Magento's customer group, BigCommerce's customer group name).
    public var group: String?
    public var segments: [String]
    public var company: Company
    /// Store-specific fields the partners agreed on, by name.
    public var attributes: [String: String]
    /// The customer's id in the storefront platform, when it came from one.
    public var storefrontID: String?
    public var status: Status
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID = UUID(), email: EmailAddress, passwordHash: StoredPasswordHash? = nil,
        firstName: String? = nil, lastName: String? = nil, phone: String? = nil, group: String? = nil,
        segments: [String] = [], company: Company = Company(), attributes: [String: String] = [:],
        storefrontID: String? = nil, status: Status = .active, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.email = email
        self.passwordHash = passwordHash
        self.firstName = firstName
        self.lastName = lastName
        self.phone = phone
        self.group = group
        self.segments = segments
        self.company = company
        self.attributes = attributes
        self.storefrontID = storefrontID
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var isActive: Bool { status == .active }
}
