import Foundation
import SignOn
import Vapor

/// `GET /sso/{slug}`: IdP-initiated SSO (`IdPInitiatedSignOn`).
struct SSOController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("sso", ":slug", use: start)
    }

    func start(_ request: Request) async throws -> Response {
        var returnPath = request.url.path
        if let query = request.url.query { returnPath += "?" + query }
        let input = IdPInitiatedSignOn.Input(
            slug: request.parameters.get("slug") ?? "", relayState: request.query[String.self, at: "RelayState"],
            bigCommerceRedirect: request.query[String.self, at: "redirect_to"], returnPath: returnPath)
        let flow = IdPInitiatedSignOn(context: request.signOnContext)
        return try await signOnFlow { try await request.withSignOnSession { try await flow.start(input, session: &$0) } }
            .response(for: request)
    }
}
