import Foundation
import SignOn
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

    enum CodingKeys: String, CodingKey {
        case provider, `protocol`, customer, access, subject, constantClaims = "constant_claims", attributes, warnings, error
    }

    let provider: String
    let `protocol`: String
    let customer: String
    let access: Access
    let subject: Subject?
    /// JWT partners: the provider's constant claims, sent beside the attributes.
    let constantClaims: [String: String]?
    let attributes: [Attribute]
    let warnings: [String]
    /// Set when a `required(…)` value is empty: then nothing would be sent.
    let error: String?

    init(customer: Customer, provider: ServiceProvider, factory: PayloadFactory, now: Date) throws {
        let decision = provider.access.decision(for: customer)
        self.provider = provider.slug
        self.protocol = provider.protocolKind.rawValue
        self.customer = customer.email.value
        self.access = Access(allowed: decision.allowed, reason: decision.reason)
        var payload = ProvisioningPayload(values: [])
        var failure: String?
        do {
            payload = try factory.payload(customer: customer, provider: provider, now: now, authTime: now)
        } catch let missing as ProvisioningPayload.MissingRequiredValue {
            failure = missing.description
        }
        warnings = payload.warnings
        error = failure
        if let saml = provider.saml {
            let value = saml.nameIDFormat == .transient ? "(a new random value each response)"
                : try factory.samlNameID(customer: customer, provider: provider, settings: saml)
            subject = Subject(format: saml.nameIDFormat.rawValue, value: value)
            constantClaims = nil
        } else if let jwt = provider.jwt {
            let value = jwt.subject == .pairwise ? try factory.pairwiseID(customer: customer, provider: provider) : customer.email.value
            subject = Subject(format: "jwt sub (\(jwt.subject.rawValue))", value: value)
            constantClaims = jwt.extraClaims
        } else {
            subject = nil
            constantClaims = nil
        }
        attributes = payload.values.map { value in
            Attribute(name: value.name, nameFormat: provider.saml.map { value.nameFormat ?? $0.attributeNameFormat.rawValue }, values: value.values)
        }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
