/// The B2B company a customer buys for, as B2B storefronts record it.
public struct Company: Sendable, Hashable, Codable {
    public var name: String?
    /// VAT or other tax identifier.
    public var vat: String?
    /// The customer's role in the company (buyer, admin, …).
    public var role: String?

    public init(name: String? = nil, vat: String? = nil, role: String? = nil) {
        self.name = name
        self.vat = vat
        self.role = role
    }

    public var isEmpty: Bool { name == nil && vat == nil && role == nil }
}
