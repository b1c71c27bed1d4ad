import Fluent
import Foundation
import JWTSSO
import StoreIdPCore
import Vapor

/// Sends the signed-in customer to a JWT partner (the token on its login URL or in a form) or to
/// a BigCommerce storefront (`{store}/login/token/{jwt}`, after finding or creating the customer).
struct PartnerTokenResponder {
    let request: Request

    func respond(customer: Customer, provider: ServiceProvider) async throws -> Response {
        switch provider.protocolKind {
        case .bigcommerce: return try await bigCommerce(customer: customer, provider: provider)
        default: return try await genericJWT(customer: customer, provider: provider)
        }
    }

    private func payload(_ customer: Customer, _ provider: ServiceProvider) throws -> ProvisioningPayload {
        do {
            return try PayloadFactory(services: request.storeIdP).payload(customer: customer, provider: provider, now: request.now,
                                                                          authTime: request.storeSession.authTime)
        } catch let missing as ProvisioningPayload.MissingRequiredValue {
            throw PageError(.forbidden, "\(provider.name) needs information your store account does not have yet (\(missing.attribute)). Please contact the store.")
        }
    }

    private func genericJWT(customer: Customer, provider: ServiceProvider) async throws -> Response {
        guard let settings = provider.jwt else { throw PageError(.internalServerError, "\(provider.name) is not set up for JWT sign-in.") }
        let services = request.storeIdP
        let factory = PayloadFactory(services: services)
        let subject = settings.subject == .pairwise ? try factory.pairwiseID(customer: customer, provider: provider) : customer.email.value
        let issuer = PartnerTokenIssuer(issuer: services.settings.issuer, keys: services.jwtKeys)
        let jti = IdentifierGenerator.secret(byteCount: 16)
        let claims = issuer.claims(provider: provider, subject: subject, payload: try payload(customer, provider), now: request.now, jti: jti)
        let token: String
        do {
            token = try await issuer.sign(claims, provider: provider, keyRing: try services.keyRing.current())
        } catch let error as JWTIssueError {
            request.logger.error("JWT not issued", metadata: ["provider": .string(provider.slug), "reason": .string(error.description)])
            throw PageError(.serviceUnavailable, "\(provider.name) cannot be reached right now. Please try again later.")
        }
        try await AuditLog(database: request.db).record("jwt.issued", at: request.now, serviceProvider: provider.slug, customerID: customer.id,
                                                        subjectID: jti, clientAddress: request.clientAddress)
        switch settings.delivery {
        case .query:
            guard var components = URLComponents(string: settings.redirectURL) else { throw PageError(.internalServerError, "Bad redirect URL.") }
            components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: settings.parameter, value: token)]
            return request.redirect(to: components.string ?? settings.redirectURL, redirectType: .normal)
        case .form:
            return try await AutoPostForm(message: "Taking you to \(provider.name)…", action: settings.redirectURL,
                                          fields: [.init(name: settings.parameter, value: token)]).response(for: request)
        }
    }

    private func bigCommerce(customer: Customer, provider: ServiceProvider) async throws -> Response {
        guard let settings = provider.bigcommerce else { throw PageError(.internalServerError, "\(provider.name) is not set up for BigCommerce.") }
        var redirectTo: String?
        if let raw = request.query[String.self, at: "redirect_to"], !raw.isEmpty {
            guard BigCommerceLoginToken.isSafeRedirectPath(raw) else {
                throw PageError(.badRequest, "redirect_to must be a path on the store, such as /cart.php.")
            }
            redirectTo = raw
        }
        let now = request.now
        let bigCommerceID = try await bigCommerceCustomerID(customer: customer, provider: provider, settings: settings)
        let token = BigCommerceLoginToken(settings: settings, keys: request.storeIdP.jwtKeys)
        let jti = UUID().uuidString.lowercased()
        let login: (token: String, url: String)
        do {
            // `request_ip` is left out: behind a load balancer the peer address is the balancer's,
            // and a wrong address would make BigCommerce refuse the login.
            login = try await token.loginURL(claims: token.claims(customerID: bigCommerceID, now: now, jti: jti, redirectTo: redirectTo,
                                                                  requestIP: nil))
        } catch {
            request.logger.error("BigCommerce login token not issued", metadata: ["provider": .string(provider.slug), "reason": .string("\(error)")])
            throw PageError(.serviceUnavailable, "\(provider.name) cannot be reached right now. Please try again later.")
        }
        try await AuditLog(database: request.db).record("bigcommerce.login", at: now, serviceProvider: provider.slug, customerID: customer.id,
                                                        subjectID: jti, clientAddress: request.clientAddress, detail: "customer_id \(bigCommerceID)")
        return request.redirect(to: login.url, redirectType: .normal)
    }

    /// The remembered link, or a lookup by email and, when absent, a creation (JIT). The link is
    /// stored only once BigCommerce has answered with an id.
    private func bigCommerceCustomerID(customer: Customer, provider: ServiceProvider, settings: ServiceProvider.BigCommerceSettings) async throws -> Int {
        if let link = try await BigCommerceCustomerLink.query(on: request.db)
            .filter(\.$storeHash == settings.storeHash).filter(\.$customerID == customer.id).first() {
            return link.bigCommerceID
        }
        let apiToken: String
        do { apiToken = String(decoding: try settings.apiToken.resolve(), as: UTF8.self) } catch {
            request.logger.error("BigCommerce API token unavailable", metadata: ["provider": .string(provider.slug)])
            throw PageError(.serviceUnavailable, "\(provider.name) cannot be reached right now. Please try again later.")
        }
        let api = BigCommerceCustomers(client: request.client, settings: settings, token: apiToken)
        let id: Int
        var created = false
        do {
            if let existing = try await api.find(email: customer.email.value) {
                id = existing
            } else {
                id = try await api.create(payload: try payload(customer, provider), email: customer.email.value)
                created = true
            }
        } catch let failure as BigCommerceCustomers.Failure {
            try await AuditLog(database: request.db).record("bigcommerce.api_error", at: request.now, serviceProvider: provider.slug,
                                                            customerID: customer.id, clientAddress: request.clientAddress, detail: failure.description)
            request.logger.warning("BigCommerce API", metadata: ["provider": .string(provider.slug), "failure": .string(failure.description)])
            switch failure {
            case let .rateLimited(seconds):
                throw PageError(.serviceUnavailable, "\(provider.name) is busy right now. Please try again in a moment.",
                                headers: seconds.map { ["Retry-After": String($0)] } ?? [:])
            case .ambiguous:
                throw PageError(.conflict, "\(provider.name) has more than one account with your email address. Please contact the store.")
            default:
                throw PageError(.badGateway, "\(provider.name) cannot be reached right now. Please try again later.")
            }
        }
        try await BigCommerceCustomerLink(storeHash: settings.storeHash, customerID: customer.id, bigCommerceID: id, createdAt: request.now).create(on: request.db)
        if created {
            try await AuditLog(database: request.db).record("bigcommerce.customer_created", at: request.now, serviceProvider: provider.slug,
                                                            customerID: customer.id, detail: "customer_id \(id)")
        }
        return id
    }
}
