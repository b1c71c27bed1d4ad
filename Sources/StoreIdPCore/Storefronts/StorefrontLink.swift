import Foundation

/// A storefront's customer (`iss`, `sub` of its launch tokens) bound to one StoreIdP customer on
/// first use. After that the pair always means that customer, and that customer is entered from
/// that storefront only with that `sub`.
public struct StorefrontLink: Sendable, Hashable {
    public var issuer: String
    public var subject: String
    public var customerID: UUID

    public init(issuer: String, subject: String, customerID: UUID) {
        self.issuer = issuer
        self.subject = subject
        self.customerID = customerID
    }
}
