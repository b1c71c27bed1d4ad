import Foundation
import SignOn
import StoreIdPCore

/// The flows read and write customers through the same directory as the command line.
extension CustomerDirectory: CustomerAccounts {
    func customer(id: UUID) async throws -> Customer? { try await find(id: id) }
    func customer(email: String) async throws -> Customer? { try await find(email: email) }
}
