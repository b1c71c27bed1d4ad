import Foundation
import StoreIdPCore

/// A BigCommerce store's Customers v3 API, as the BigCommerce flow needs it (finding a customer by
/// email, creating one); the server implements it over HTTP.
public protocol BigCommerceCustomerAPI: Sendable {
    func customerID(email: String, settings: ServiceProvider.BigCommerceSettings) async throws(BigCommerceAPIFailure) -> Int?
    func createCustomer(email: String, payload: ProvisioningPayload, settings: ServiceProvider.BigCommerceSettings) async throws(BigCommerceAPIFailure) -> Int
}

/// The BigCommerce customer id each customer was given in each store, remembered after the first
/// visit so later visits make no API call.
public protocol BigCommerceCustomerLinks: Sendable {
    func bigCommerceID(storeHash: String, customerID: UUID) async throws -> Int?
    func remember(storeHash: String, customerID: UUID, bigCommerceID: Int, now: Date) async throws
}

/// Why the Customers API did not answer with an id.
public enum BigCommerceAPIFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case noAPIToken
    case unauthorized
    case rateLimited(retryAfterSeconds: Int?)
    case unavailable(String)
    case ambiguous(count: Int)
    case refused(String)

    public var description: String {
        switch self {
        case .noAPIToken: return "StoreIdP's BigCommerce API token is not available"
        case .unauthorized: return "BigCommerce refused StoreIdP's API token (401)"
        case let .rateLimited(seconds): return "BigCommerce is rate limiting (429)" + (seconds.map { ", retry in \($0) s" } ?? "")
        case let .unavailable(reason): return "BigCommerce did not answer: \(reason)"
        case let .ambiguous(count): return "BigCommerce has \(count) customers with this email"
        case let .refused(reason): return "BigCommerce refused to create the customer: \(reason)"
        }
    }
}
