import Foundation
import JWTSSO
import StoreIdPCore

/// The storefronts that may mint launch tokens, as one verifier keyed by `iss`; nil when launch
/// links are off (no storefront registered).
public protocol LaunchTokenVerifiers: Sendable {
    func verifier() async throws -> LaunchTokenVerifier?
}

/// The bindings of storefront customers (`iss`, `sub`) to StoreIdP customers.
public protocol StorefrontLinkRegistry: Sendable {
    func link(issuer: String, subject: String) async throws -> StorefrontLink?
    func links(customerID: UUID) async throws -> [StorefrontLink]
    /// Binds atomically; false when the pair or the customer is already bound otherwise.
    func bind(issuer: String, subject: String, customerID: UUID, now: Date) async throws -> Bool
}

/// A fixed verifier (tests, or a deployment without stored storefronts).
public struct FixedLaunchTokenVerifier: LaunchTokenVerifiers {
    public let value: LaunchTokenVerifier?
    public init(_ value: LaunchTokenVerifier?) { self.value = value }
    public func verifier() async throws -> LaunchTokenVerifier? { value }
}
