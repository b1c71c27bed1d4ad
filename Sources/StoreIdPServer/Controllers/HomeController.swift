import StoreIdPCore
import Vapor

/// `GET /`: who is signed in, with a sign-out button.
struct HomeController: RouteCollection {
    struct HomePage: Encodable {
        let title = "Your store account"
        let signedIn: Bool
        let name: String?
        let email: String?
        let csrf: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: show)
    }

    func show(_ request: Request) async throws -> View {
        guard let customer = try await request.signedInCustomer() else {
            return try await request.view.render("home", HomePage(signedIn: false, name: nil, email: nil, csrf: nil))
        }
        let name = [customer.firstName, customer.lastName].compactMap { $0 }.joined(separator: " ")
        return try await request.view.render("home", HomePage(
            signedIn: true, name: name.isEmpty ? nil : name, email: customer.email.value,
            csrf: CSRFToken.token(for: request)
        ))
    }
}
