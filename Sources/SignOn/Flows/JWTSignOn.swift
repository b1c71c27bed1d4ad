import Foundation
import JWTSSO
import StoreIdPCore

/// A JWT partner (RFC 7519, RFC 8725): the signed token on its login URL (a redirect) or posted
/// in a form, as registered.
struct JWTSignOn {
    let context: SignOnContext

    func send(_ customer: Customer, login: SignOnSession.Login, provider: ServiceProvider,
              settings: ServiceProvider.JWTSettings) async throws -> SignOnOutcome {
        let now = context.now
        let factory = context.payloads
        let payload = try context.payload(for: customer, provider: provider, authTime: login.authTime)
        let subject = settings.subject == .pairwise ? try factory.pairwiseID(customer: customer, provider: provider) : customer.email.value
        let issuer = PartnerTokenIssuer(issuer: context.issuer, keys: context.jwtKeys)
        let jti = context.random.secret(byteCount: 16)
        let claims = issuer.claims(provider: provider, subject: subject, payload: payload, now: now, jti: jti)
        let token: String
        do {
            let keyRing = try context.keys.current()
            token = try await SignOnMetrics.timeSigning(.jwt) {
                try await issuer.sign(claims, provider: provider, keyRing: keyRing, environment: context.environment)
            }
        } catch is JWTIssueError {
            throw SignOnError.partnerUnavailable(provider)
        }
        try await context.record(.jwtIssued, provider: provider.slug, customer: customer.id, subject: jti)
        switch settings.delivery {
        case .query:
            guard var components = URLComponents(string: settings.redirectURL) else { throw SignOnError.partnerUnavailable(provider) }
            components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: settings.parameter, value: token)]
            return .redirect(components.string ?? settings.redirectURL)
        case .form:
            return .post(AutoPost(action: settings.redirectURL, fields: [.init(name: settings.parameter, value: token)],
                                  message: "Taking you to \(provider.name)…"))
        }
    }
}
