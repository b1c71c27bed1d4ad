import Foundation
import StoreIdPCore

/// Builds what one customer sends one service provider, the same way for a live response and
/// for `providers preview`, so the preview is exactly what the partner receives.
public struct PayloadFactory: Sendable {
    public let keys: any KeyRingSource
    public let random: any RandomSource

    public init(keys: any KeyRingSource, random: any RandomSource = SystemRandomSource()) {
        self.keys = keys
        self.random = random
    }

    public func pairwiseID(customer: Customer, provider: ServiceProvider) throws -> String {
        PairwiseIdentifier(secret: try keys.pairwiseSecret())
            .identifier(customerID: customer.id, serviceProvider: provider.pairwiseSubject)
    }

    public func payload(customer: Customer, provider: ServiceProvider, now: Date, authTime: Date?) throws -> ProvisioningPayload {
        let context = ProvisioningPayload.Context(customer: customer, serviceProvider: provider,
                                                  pairwiseID: try pairwiseID(customer: customer, provider: provider),
                                                  now: now, authTime: authTime)
        return try ProvisioningPayload(mapping: provider.attributes, context: context)
    }

    /// The SAML NameID value for the provider's format (saml-core §8.3): the email, the pairwise
    /// id (persistent), or a fresh random id (transient).
    public func samlNameID(customer: Customer, provider: ServiceProvider, settings: ServiceProvider.SAMLSettings) throws -> String {
        switch settings.nameIDFormat {
        case .email, .unspecified: return customer.email.value
        case .persistent: return try pairwiseID(customer: customer, provider: provider)
        case .transient: return random.samlID()
        }
    }
}
