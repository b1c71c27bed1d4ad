import Foundation
import StoreIdPCore
import Vapor

/// Sends the signed-in customer to a JWT partner or a BigCommerce storefront.
struct PartnerTokenResponder {
    let request: Request

    func respond(customer: Customer, provider: ServiceProvider) async throws -> Response {
        throw PageError(.notImplemented, "\(provider.name) cannot be reached yet.")
    }
}
