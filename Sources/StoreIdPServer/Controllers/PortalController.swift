import Foundation
import StoreIdPCore
import SignOn
import Vapor

/// `GET /portal`: the partner services this customer may use, each a link to `/sso/{slug}`.
struct PortalController: RouteCollection {
    struct PortalPage: Encodable {
        struct Service: Encodable {
            let name: String
            let description: String?
            let logoURL: String?
            let link: String
        }

        let title = "Your partner services"
        let name: String
        let services: [Service]
        let csrf: String
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("portal", use: show)
    }

    func show(_ request: Request) async throws -> Response {
        guard let customer = try await request.signedInCustomer() else {
            return try await SignOnOutcome.login(returnTo: "/portal", reauthenticate: false).response(for: request)
        }
        let providers = try await ProviderDirectory(database: request.db).all()
        let services = providers
            .filter { $0.access.decision(for: customer).allowed }
            .sorted { $0.name.localizedCaseInsensitiveCompare($1.name) == .orderedAscending }
            .map { PortalPage.Service(name: $0.name, description: $0.description, logoURL: $0.logoURL, link: "/sso/\($0.slug)") }
        let name = customer.firstName ?? customer.email.value
        return try await request.view.render("portal", PortalPage(name: name, services: services, csrf: CSRFToken.token(for: request)))
            .encodeResponse(for: request)
    }
}
