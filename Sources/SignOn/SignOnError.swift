import Foundation
import StoreIdPCore

/// Why a flow refused, in words a customer or a partner's admin understands. The server maps
/// `status` to an HTTP status and shows an error page; nothing is sent to a partner.
public struct SignOnError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal, which decides the HTTP status at the server edge.
    public enum Status: Sendable, Equatable {
        /// 400: the request itself is malformed or not acceptable.
        case badRequest
        /// 401: a credential (token, password) did not verify.
        case unauthorized
        /// 403: the customer may not use this service.
        case forbidden
        /// 404: no such service, or the feature is off.
        case notFound
        /// 409: the data is in a state that prevents it (two accounts, a different binding).
        case conflict
        /// 413: the input is larger than accepted.
        case tooLarge
        /// 502: a partner's API failed.
        case badGateway
        /// 503: try again later (`retryAfter` seconds when known).
        case unavailable(retryAfter: Int?)
    }

    public let status: Status
    public let message: String
    /// Where the error page offers to go back to (the provider's storefront).
    public let returnURL: String?

    public init(_ status: Status, _ message: String, returnURL: String? = nil) {
        self.status = status
        self.message = message
        self.returnURL = returnURL
    }

    public var description: String { message }

    static func unknownProvider() -> SignOnError {
        SignOnError(.notFound, "There is no partner service at this address.")
    }

    static func accessDenied(_ provider: ServiceProvider) -> SignOnError {
        SignOnError(.forbidden, "Your store account does not give access to \(provider.name).", returnURL: provider.storefrontReturnURL)
    }

    static func payloadIncomplete(_ provider: ServiceProvider, _ missing: ProvisioningPayload.MissingRequiredValue) -> SignOnError {
        SignOnError(.forbidden, "\(provider.name) needs information your store account does not have yet (\(missing.attribute)). Please contact the store.",
                    returnURL: provider.storefrontReturnURL)
    }

    static func partnerUnavailable(_ provider: ServiceProvider, retryAfter: Int? = nil) -> SignOnError {
        SignOnError(.unavailable(retryAfter: retryAfter), "\(provider.name) cannot be reached right now. Please try again later.",
                    returnURL: provider.storefrontReturnURL)
    }
}
