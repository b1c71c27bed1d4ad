import Foundation
import StoreIdPCore

/// The store's customers, as the flows read and write them.
public protocol CustomerAccounts: Sendable {
    func customer(id: UUID) async throws -> Customer?
    func customer(email: String) async throws -> Customer?
    /// Creates the customer or applies the profile to the stored one.
    func save(_ profile: CustomerProfile, now: Date) async throws -> (Customer, CustomerSaveOutcome)
}

/// What a save did.
public enum CustomerSaveOutcome: String, Sendable, Equatable {
    case created, updated, unchanged
}
