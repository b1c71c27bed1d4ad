import Foundation
import SignOn
import Vapor

/// `GET /launch/{slug}?token=…` and the confirmation `POST /launch/{slug}` (`StorefrontLaunch`).
struct LaunchController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("launch", ":slug", use: launch)
        routes.on(.POST, "launch", ":slug", body: .collect(maxSize: "16kb"), use: confirm)
    }

    func launch(_ request: Request) async throws -> Response {
        try await run(request, token: request.query[String.self, at: "token"], confirmed: false)
    }

    /// The customer chose to switch account: the CSRF token proves the form was ours.
    func confirm(_ request: Request) async throws -> Response {
        struct Form: Decodable {
            var token: String?
            var csrf: String?
        }
        try request.requireBodySize(atMost: "16kb")
        let form = try request.content.decode(Form.self)
        guard CSRFToken.accepts(form.csrf, from: request) else {
            throw PageError(.forbidden, "This confirmation has expired. Please go back to the store and click the link again.")
        }
        return try await run(request, token: form.token, confirmed: true)
    }

    private func run(_ request: Request, token: String?, confirmed: Bool) async throws -> Response {
        let input = StorefrontLaunch.Input(slug: request.parameters.get("slug") ?? "", token: token, confirmed: confirmed,
                                           relayState: request.query[String.self, at: "RelayState"],
                                           bigCommerceRedirect: request.query[String.self, at: "redirect_to"])
        let flow = StorefrontLaunch(context: request.signOnContext)
        return try await signOnFlow { try await request.withSignOnSession { try await flow.launch(input, session: &$0) } }
            .response(for: request)
    }
}
