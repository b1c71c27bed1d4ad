import Foundation

/// The named values one customer sends one service provider: the just-in-time provisioning
/// payload. Values are lists; a single-valued source gives one value, an empty source none
/// (and the name is left out, so a partner never receives an empty email).
public struct ProvisioningPayload: Sendable, Hashable {
    public struct Value: Sendable, Hashable {
        public let name: String
        public let values: [String]
    }

    public let values: [Value]

    public init(values: [Value]) { self.values = values }

    /// Everything the payload can be built from.
    public struct Context: Sendable {
        public let customer: Customer
        public let serviceProvider: ServiceProvider
        public let pairwiseID: String
        public let now: Date
        public let authTime: Date?

        public init(customer: Customer, serviceProvider: ServiceProvider, pairwiseID: String, now: Date, authTime: Date?) {
            self.customer = customer
            self.serviceProvider = serviceProvider
            self.pairwiseID = pairwiseID
            self.now = now
            self.authTime = authTime
        }
    }

    public init(mapping: AttributeMapping, context: Context) {
        values = mapping.entries.compactMap { entry in
            let values = Self.read(entry.source, context)
            return values.isEmpty ? nil : Value(name: entry.name, values: values)
        }
    }

    public subscript(name: String) -> [String]? { values.first { $0.name == name }?.values }

    static func read(_ source: AttributeSource, _ context: Context) -> [String] {
        let customer = context.customer
        func one(_ value: String?) -> [String] { value.map { [$0] } ?? [] }
        switch source {
        case .customerEmail: return [customer.email.value]
        case .customerFirstName: return one(customer.firstName)
        case .customerLastName: return one(customer.lastName)
        case .customerPhone: return one(customer.phone)
        case .customerGroup: return one(customer.group)
        case .customerSegments: return customer.segments
        case .customerCompanyName: return one(customer.company.name)
        case .customerCompanyVAT: return one(customer.company.vat)
        case .customerCompanyRole: return one(customer.company.role)
        case .customerID: return [customer.id.uuidString.lowercased()]
        case .customerStorefrontID: return one(customer.storefrontID)
        case .customerCreatedAt: return [Timestamp.iso8601(customer.createdAt)]
        case .customerPairwiseID: return [context.pairwiseID]
        case let .customerAttribute(key): return one(customer.attributes[key])
        case .serviceProviderSlug: return [context.serviceProvider.slug]
        case .now: return [Timestamp.iso8601(context.now)]
        case .sessionAuthTime: return one(context.authTime.map(Timestamp.iso8601))
        case let .constant(text): return [text]
        }
    }
}

/// UTC timestamps as SAML (saml-core §1.3.3, xs:dateTime with Z) and JSON payloads write them.
public enum Timestamp {
    public static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
