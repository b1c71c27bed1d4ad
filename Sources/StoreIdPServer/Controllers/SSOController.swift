import Foundation
import SAML
import StoreIdPCore
import Vapor

/// `GET /sso/{slug}`: IdP-initiated SSO. The signed-in customer (or, after a login, the customer
/// who just signed in) is sent to the partner in whatever form it speaks.
struct SSOController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("sso", ":slug", use: start)
    }

    func start(_ request: Request) async throws -> Response {
        let provider = try await Self.provider(request)
        guard let customer = try await request.storeSession.customer() else {
            return Self.redirectToLogin(request)
        }
        try Self.checkAccess(customer, provider)
        switch provider.protocolKind {
        case .saml:
            let relayState = try Self.relayState(request)
            guard let acs = provider.saml?.defaultAssertionConsumerService else {
                throw PageError(.internalServerError, "\(provider.name) has no assertion consumer service.")
            }
            // saml-profiles §4.1.5: an unsolicited response carries no InResponseTo.
            // After a storefront launch the store, not a password typed here, authenticated the customer.
            let context = request.storeSession.method == .password ? SAMLAuthnContextClass.passwordProtectedTransport : SAMLAuthnContextClass.unspecified
            return try await SAMLResponder(request: request).respond(customer: customer, provider: provider, acsURL: acs.url,
                                                                     inResponseTo: nil, relayState: relayState, authnContextClassRef: context)
        case .jwt, .bigcommerce:
            return try await PartnerTokenResponder(request: request).respond(customer: customer, provider: provider)
        case .oidc:
            throw PageError(.notFound, "\(provider.name) is an OpenID Connect client: start from \(provider.name) itself.")
        }
    }

    static func provider(_ request: Request) async throws -> ServiceProvider {
        let slug = request.parameters.get("slug") ?? ""
        guard let provider = try await ProviderDirectory(database: request.db).find(slug: slug) else {
            throw PageError(.notFound, "There is no partner service at this address.")
        }
        return provider
    }

    /// To the login form, coming back to exactly this URL.
    static func redirectToLogin(_ request: Request) -> Response {
        var target = request.url.path
        if let query = request.url.query { target += "?" + query }
        let returnTo = ReturnPath.sanitize(target)
        var components = URLComponents()
        components.path = "/login"
        components.queryItems = [URLQueryItem(name: "return_to", value: returnTo.path)]
        return request.redirect(to: components.string ?? "/login", redirectType: .normal)
    }

    /// A 403 page naming the service; never a payload.
    static func checkAccess(_ customer: Customer, _ provider: ServiceProvider) throws {
        guard provider.access.decision(for: customer).allowed else {
            throw PageError(.forbidden, "Your store account does not give access to \(provider.name).", returnURL: provider.storefrontReturnURL)
        }
    }

    /// RelayState is echoed opaquely, at most 80 bytes (saml-bindings §3.4.3).
    static func relayState(_ request: Request) throws -> String? {
        guard let relayState = request.query[String.self, at: "RelayState"], !relayState.isEmpty else { return nil }
        guard relayState.utf8.count <= SAMLRelayState.maximumBytes else {
            throw PageError(.badRequest, "The RelayState is longer than \(SAMLRelayState.maximumBytes) bytes (saml-bindings §3.4.3).")
        }
        return relayState
    }
}
