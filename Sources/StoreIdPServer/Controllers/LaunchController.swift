import Foundation
import JWTSSO
import StoreIdPCore
import Vapor

/// `GET /launch/{slug}?token=…`: a storefront's backend vouches for its signed-in customer with a
/// short-lived signed token; StoreIdP checks it, creates or refreshes the customer from its claims
/// (JIT on our side), starts a session and continues exactly as `GET /sso/{slug}`.
///
/// Every refusal is a 4xx page, and nothing is created and no session starts before the token,
/// its single use, and the customer's access to the service have all been checked.
struct LaunchController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("launch", ":slug", use: launch)
    }

    func launch(_ request: Request) async throws -> Response {
        let provider = try await SSOController.provider(request)
        let services = request.storeIdP
        guard let secret = services.settings.launchSecret else {
            throw PageError(.notFound, "Launch links are not enabled on this StoreIdP.", returnURL: provider.storefrontReturnURL)
        }
        guard let token = request.query[String.self, at: "token"], !token.isEmpty else {
            throw PageError(.badRequest, "The launch link has no token.", returnURL: provider.storefrontReturnURL)
        }
        let now = request.now
        let verifier = await LaunchTokenVerifier.hs256(secret: Data(secret.utf8), audience: services.settings.issuer)
        let claims: LaunchToken
        do {
            claims = try await verifier.verify(token, now: now)
        } catch {
            request.logger.info("launch token refused", metadata: ["provider": .string(provider.slug), "reason": .string(error.description)])
            let status: HTTPStatus = error == .tooLarge(token.utf8.count) ? .payloadTooLarge : error == .malformed ? .badRequest : .unauthorized
            throw PageError(status, error.description, returnURL: provider.storefrontReturnURL)
        }

        let profile = claims.profile
        let email = try profile.validate()
        let directory = request.customers
        let existing = try await directory.find(email: email.value)
        var prospective = existing ?? profile.makeCustomer(email: email, passwordHash: nil, now: now)
        profile.apply(to: &prospective, passwordHash: nil, now: now)
        try SSOController.checkAccess(prospective, provider)

        let fresh = try await ReplayCache(database: request.db).claim(
            claims.jti, namespace: "launch:" + claims.iss,
            until: Date(timeIntervalSince1970: TimeInterval(claims.exp + LaunchTokenVerifier.clockSkew)), now: now)
        guard fresh else {
            throw PageError(.unauthorized, LaunchTokenVerifier.Rejection.replayed.description, returnURL: provider.storefrontReturnURL)
        }
        let (customer, outcome) = try await directory.save(profile, now: now)
        guard customer.isActive else {
            throw PageError(.forbidden, "Your store account is disabled.", returnURL: provider.storefrontReturnURL)
        }
        try await AuditLog(database: request.db).record("launch.\(outcome)", at: now, serviceProvider: provider.slug, customerID: customer.id,
                                                        subjectID: claims.jti, clientAddress: request.clientAddress, detail: "issuer \(claims.iss.prefix(200))")
        try await request.storeSession.signIn(customer, method: .storefrontLaunch)
        return try await SSOController().start(request)
    }
}
