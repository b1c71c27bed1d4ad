import Foundation
import SAML
import SignOn
import Vapor

/// `GET|POST /saml/slo`: a partner's LogoutRequest, or its LogoutResponse to ours (`SAMLLogout`).
struct SAMLLogoutController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("saml", "slo", use: singleLogout)
        routes.on(.POST, "saml", "slo", body: .collect(maxSize: SAMLHTTPBinding.maximumPostBody), use: singleLogout)
    }

    func singleLogout(_ request: Request) async throws -> Response {
        let parameter = try SAMLHTTPBinding.parameter(of: request)
        let message = try SAMLHTTPBinding.decode(request, expecting: parameter)
        let flow = SAMLLogout(context: request.signOnContext)
        return try await signOnFlow {
            try await request.withSignOnSession { session in
                parameter == .response ? try await flow.partnerAnswered(message, session: &session)
                                       : try await flow.partnerRequested(message, session: &session)
            }
        }.response(for: request)
    }
}
