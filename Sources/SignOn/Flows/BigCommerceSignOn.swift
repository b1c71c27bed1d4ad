import Foundation
import JWTSSO
import StoreIdPCore

/// A BigCommerce storefront (Customer Login API): the customer's BigCommerce id (remembered, or
/// found by email, or created from the payload: JIT provisioning), then a redirect to
/// `{store}/login/token/{jwt}`.
struct BigCommerceSignOn {
    let context: SignOnContext

    func send(_ customer: Customer, provider: ServiceProvider, settings: ServiceProvider.BigCommerceSettings,
              redirectTo: String?) async throws -> SignOnOutcome {
        if let redirectTo, !redirectTo.isEmpty, !BigCommerceLoginToken.isSafeRedirectPath(redirectTo) {
            throw SignOnError(.badRequest, "redirect_to must be a path on the store, such as /cart.php.", returnURL: provider.storefrontReturnURL)
        }
        let bigCommerceID = try await customerID(of: customer, provider: provider, settings: settings)
        let token = BigCommerceLoginToken(settings: settings, keys: context.jwtKeys)
        let jti = context.random.secret(byteCount: 16)
        let login: (token: String, url: String)
        do {
            // `request_ip` is left out: behind a load balancer the peer address is the balancer's,
            // and a wrong address would make BigCommerce refuse the login.
            login = try await token.loginURL(claims: token.claims(customerID: bigCommerceID, now: context.now, jti: jti,
                                                                  redirectTo: redirectTo?.isEmpty == false ? redirectTo : nil, requestIP: nil),
                                             environment: context.environment)
        } catch {
            throw SignOnError.partnerUnavailable(provider)
        }
        try await context.record(.bigCommerceLogin, provider: provider.slug, customer: customer.id, subject: jti,
                                 detail: "customer_id \(bigCommerceID)")
        return .redirect(login.url)
    }

    /// The remembered link, or a lookup by email and, when absent, a creation. The link is stored
    /// only once BigCommerce has answered with an id, so a failure leaves nothing half-made.
    private func customerID(of customer: Customer, provider: ServiceProvider, settings: ServiceProvider.BigCommerceSettings) async throws -> Int {
        if let known = try await context.bigCommerceLinks.bigCommerceID(storeHash: settings.storeHash, customerID: customer.id) {
            return known
        }
        let id: Int
        var created = false
        do {
            if let existing = try await context.bigCommerce.customerID(email: customer.email.value, settings: settings) {
                id = existing
            } else {
                let payload = try context.payload(for: customer, provider: provider, authTime: nil)
                id = try await context.bigCommerce.createCustomer(email: customer.email.value, payload: payload, settings: settings)
                created = true
            }
        } catch let failure as BigCommerceAPIFailure {
            try await context.record(.bigCommerceAPIError, provider: provider.slug, customer: customer.id, detail: failure.description)
            switch failure {
            case let .rateLimited(seconds):
                throw SignOnError(.unavailable(retryAfter: seconds), "\(provider.name) is busy right now. Please try again in a moment.",
                                  returnURL: provider.storefrontReturnURL)
            case .ambiguous:
                throw SignOnError(.conflict, "\(provider.name) has more than one account with your email address. Please contact the store.",
                                  returnURL: provider.storefrontReturnURL)
            case .noAPIToken:
                throw SignOnError.partnerUnavailable(provider)
            default:
                throw SignOnError(.badGateway, "\(provider.name) cannot be reached right now. Please try again later.",
                                  returnURL: provider.storefrontReturnURL)
            }
        }
        try await context.bigCommerceLinks.remember(storeHash: settings.storeHash, customerID: customer.id, bigCommerceID: id, now: context.now)
        if created {
            try await context.record(.bigCommerceCustomerCreated, provider: provider.slug, customer: customer.id, detail: "customer_id \(id)")
        }
        return id
    }
}
