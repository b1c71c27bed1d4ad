import Foundation

/// What a service provider receives about a customer: an ordered list of names, each read from a
/// source. Protocol-neutral; each protocol renders the resulting `ProvisioningPayload` in its own
/// form (SAML attributes, JWT claims, …).
public struct AttributeMapping: Sendable, Hashable, Codable {
    public struct Entry: Sendable, Hashable, Codable {
        public var name: String
        public var expression: MappingExpression
        /// SAML only: a FriendlyName for the Attribute (saml-core §2.7.3.1), and a NameFormat that
        /// overrides the provider's (presets with OID names use the uri format).
        public var friendlyName: String?
        public var nameFormat: String?

        public init(name: String, expression: MappingExpression, friendlyName: String? = nil, nameFormat: String? = nil) {
            self.name = name
            self.expression = expression
            self.friendlyName = friendlyName
            self.nameFormat = nameFormat
        }

        public init(name: String, source: AttributeSource) {
            self.init(name: name, expression: .source(source))
        }

        enum CodingKeys: String, CodingKey { case name, expression, friendlyName = "friendly_name", nameFormat = "name_format" }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(expression.text, forKey: .expression)
            try container.encodeIfPresent(friendlyName, forKey: .friendlyName)
            try container.encodeIfPresent(nameFormat, forKey: .nameFormat)
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            let text = try container.decode(String.self, forKey: .expression)
            do { expression = try MappingExpression(parsing: text) } catch {
                throw DecodingError.dataCorruptedError(forKey: .expression, in: container, debugDescription: error.description)
            }
            friendlyName = try container.decodeIfPresent(String.self, forKey: .friendlyName)
            nameFormat = try container.decodeIfPresent(String.self, forKey: .nameFormat)
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) { self.entries = entries }

    /// email, first_name, last_name, group: what a partner needs to create an account.
    public static let standard = AttributeMapping([
        Entry(name: "email", source: .customerEmail),
        Entry(name: "first_name", source: .customerFirstName),
        Entry(name: "last_name", source: .customerLastName),
        Entry(name: "group", source: .customerGroup),
    ])

    /// This mapping with `overrides` applied: an entry of the same name is replaced in place,
    /// a new name is added at the end.
    public func overridden(by overrides: [Entry]) -> AttributeMapping {
        var entries = self.entries
        for entry in overrides {
            if let index = entries.firstIndex(where: { $0.name == entry.name }) {
                entries[index] = entry
            } else {
                entries.append(entry)
            }
        }
        return AttributeMapping(entries)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(entries)
    }

    public init(from decoder: any Decoder) throws {
        entries = try decoder.singleValueContainer().decode([Entry].self)
    }
}

/// Where a payload value comes from.
public enum AttributeSource: Sendable, Hashable, Codable {
    case customerEmail, customerFirstName, customerLastName, customerFullName, customerPhone, customerGroup, customerSegments
    case customerCompanyName, customerCompanyVAT, customerCompanyRole, customerID, customerStorefrontID
    case customerCreatedAt, customerPairwiseID, customerAttribute(String)
    case serviceProviderSlug, now, sessionAuthTime
    case constant(String)

    /// The source as written in the providers file: `customer.email`, `customer.attributes.tier`,
    /// `sp.slug`, `now`, `session.auth_time`, or a quoted constant `"text"`.
    public init?(expression raw: String) {
        let text = raw.trimmingWhitespace()
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") {
            self = .constant(String(text.dropFirst().dropLast()))
            return
        }
        switch text {
        case "customer.email": self = .customerEmail
        case "customer.first_name": self = .customerFirstName
        case "customer.last_name": self = .customerLastName
        case "customer.full_name": self = .customerFullName
        case "customer.phone": self = .customerPhone
        case "customer.group": self = .customerGroup
        case "customer.segments": self = .customerSegments
        case "customer.company.name": self = .customerCompanyName
        case "customer.company.vat": self = .customerCompanyVAT
        case "customer.company.role": self = .customerCompanyRole
        case "customer.id": self = .customerID
        case "customer.storefront_id": self = .customerStorefrontID
        case "customer.created_at": self = .customerCreatedAt
        case "customer.pairwise_id": self = .customerPairwiseID
        case "sp.slug": self = .serviceProviderSlug
        case "now": self = .now
        case "session.auth_time": self = .sessionAuthTime
        default:
            let prefix = "customer.attributes."
            guard text.hasPrefix(prefix), text.count > prefix.count else { return nil }
            self = .customerAttribute(String(text.dropFirst(prefix.count)))
        }
    }

    public var expression: String {
        switch self {
        case .customerEmail: return "customer.email"
        case .customerFirstName: return "customer.first_name"
        case .customerLastName: return "customer.last_name"
        case .customerFullName: return "customer.full_name"
        case .customerPhone: return "customer.phone"
        case .customerGroup: return "customer.group"
        case .customerSegments: return "customer.segments"
        case .customerCompanyName: return "customer.company.name"
        case .customerCompanyVAT: return "customer.company.vat"
        case .customerCompanyRole: return "customer.company.role"
        case .customerID: return "customer.id"
        case .customerStorefrontID: return "customer.storefront_id"
        case .customerCreatedAt: return "customer.created_at"
        case .customerPairwiseID: return "customer.pairwise_id"
        case let .customerAttribute(key): return "customer.attributes.\(key)"
        case .serviceProviderSlug: return "sp.slug"
        case .now: return "now"
        case .sessionAuthTime: return "session.auth_time"
        case let .constant(text): return "\"\(text)\""
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(expression)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let source = AttributeSource(expression: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown attribute source '\(text.displaySafePrefix)'")
        }
        self = source
    }
}
