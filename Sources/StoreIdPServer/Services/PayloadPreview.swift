import Foundation
import StoreIdPCore

/// What `providers preview` prints: the access decision and the exact payload, as the protocol
/// will render it.
struct PayloadPreview: Encodable {
    struct Access: Encodable {
        let allowed: Bool
        let reason: String
    }

    struct Subject: Encodable {
        let format: String
        let value: String
    }

    struct Attribute: Encodable {
        let name: String
        let nameFormat: String?
        let values: [String]

        enum CodingKeys: String, CodingKey { case name, nameFormat = "name_format", values }
    }

    let provider: String
    let `protocol`: String
    let customer: String
    let access: Access
    let subject: Subject?
    let attributes: [Attribute]

    init(customer: Customer, provider: ServiceProvider, factory: PayloadFactory, now: Date) throws {
        let decision = provider.access.decision(for: customer)
        self.provider = provider.slug
        self.protocol = provider.protocolKind.rawValue
        self.customer = customer.email.value
        self.access = Access(allowed: decision.allowed, reason: decision.reason)
        let payload = try factory.payload(customer: customer, provider: provider, now: now, authTime: nil)
        if let saml = provider.saml {
            let value = saml.nameIDFormat == .transient ? "(a new random value each response)"
                : try factory.samlNameID(customer: customer, provider: provider, settings: saml)
            subject = Subject(format: saml.nameIDFormat.rawValue, value: value)
        } else {
            subject = nil
        }
        attributes = payload.values.map { Attribute(name: $0.name, nameFormat: provider.saml?.attributeNameFormat.rawValue, values: $0.values) }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
