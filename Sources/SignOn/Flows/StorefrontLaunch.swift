import Foundation
import JWTSSO
import StoreIdPCore

/// `GET /launch/{slug}?token=…`: a storefront's backend vouches for its signed-in customer with a
/// short-lived signed token; StoreIdP checks it, creates or refreshes the customer from its claims
/// (JIT on our side), starts a session and continues exactly as IdP-initiated SSO.
///
/// Every refusal is an error, and nothing is created and no session starts before the token, its
/// single use and the customer's access to the service have all been checked. A browser already
/// signed in as another customer is asked first (`confirmLaunch`), so a link cannot silently swap
/// the session of the person at the keyboard (login CSRF); the token is not spent until then.
public struct StorefrontLaunch: Sendable {
    public struct Input: Sendable {
        public var slug: String
        public var token: String?
        /// True when the customer confirmed a switch of account (a POST with the CSRF token).
        public var confirmed: Bool
        public var relayState: String?
        public var bigCommerceRedirect: String?

        public init(slug: String, token: String?, confirmed: Bool = false, relayState: String? = nil, bigCommerceRedirect: String? = nil) {
            self.slug = slug
            self.token = token
            self.confirmed = confirmed
            self.relayState = relayState
            self.bigCommerceRedirect = bigCommerceRedirect
        }
    }

    public let context: SignOnContext

    public init(context: SignOnContext) { self.context = context }

    public func launch(_ input: Input, session: inout SignOnSession) async throws -> SignOnOutcome {
        guard let provider = try await context.providers.provider(slug: input.slug) else { throw SignOnError.unknownProvider() }
        let back = provider.storefrontReturnURL
        guard let verifier = try await context.launchVerifiers.verifier() else {
            throw SignOnError(.notFound, "Launch links are not enabled on this StoreIdP.", returnURL: back)
        }
        guard let token = input.token, !token.isEmpty else { throw SignOnError(.badRequest, "The launch link has no token.", returnURL: back) }
        let now = context.now
        let claims: LaunchToken
        do {
            claims = try await verifier.verify(token, now: now)
        } catch {
            let status: SignOnError.Status = error == .tooLarge(token.utf8.count) ? .tooLarge : error == .malformed ? .badRequest : .unauthorized
            throw SignOnError(status, error.description, returnURL: back)
        }
        guard let storefront = verifier.storefront(issuer: claims.iss) else {
            throw SignOnError(.unauthorized, LaunchTokenVerifier.Rejection.unknownIssuer(claims.iss).description, returnURL: back)
        }
        let email: EmailAddress
        do { email = try claims.profile.validate() } catch {
            throw SignOnError(.badRequest, LaunchTokenVerifier.Rejection.invalidCustomer(error.description).description, returnURL: back)
        }
        // (iss, sub) is bound to one customer on first use; a storefront changes access-deciding
        // fields of an existing customer only when trusted with them.
        let existing = try await context.customers.customer(email: email.value)
        let existingLinks = try await existing.asyncMap { try await context.storefrontLinks.links(customerID: $0.id) } ?? []
        let subjectLink = try await context.storefrontLinks.link(issuer: claims.iss, subject: claims.sub)
        let decision: LaunchProfilePolicy.Decision
        do throws(LaunchProfilePolicy.Refusal) {
            decision = try LaunchProfilePolicy.decide(issuer: claims.iss, subject: claims.sub, profile: claims.profile, storefront: storefront,
                                                      existing: existing, existingLinks: existingLinks, subjectLink: subjectLink)
        } catch {
            try await context.record(.launchRefused, provider: provider.slug, customer: existing?.id, subject: claims.jti, detail: error.description)
            throw SignOnError(.conflict, "This store account cannot be used from this link: \(error.description).", returnURL: back)
        }
        let profile = decision.profile
        var prospective = existing ?? profile.makeCustomer(email: email, passwordHash: nil, now: now)
        profile.apply(to: &prospective, passwordHash: nil, now: now)
        try context.checkAccess(prospective, provider)

        if !input.confirmed, let (_, current) = try await context.signedInCustomer(session), current.id != existing?.id {
            return .confirmLaunch(LaunchConfirmation(slug: provider.slug, serviceName: provider.name, token: token,
                                                     signedInAs: current.email.value, launchAs: email.value))
        }
        let fresh = try await context.replay.claim(claims.jti, namespace: "launch:" + claims.iss,
                                                   until: Date(timeIntervalSince1970: Double(claims.exp) + Double(LaunchTokenVerifier.clockSkew)), now: now)
        guard fresh else { throw SignOnError(.unauthorized, LaunchTokenVerifier.Rejection.replayed.description, returnURL: back) }
        let (customer, outcome) = try await context.customers.save(profile, now: now)
        if decision.bindsNewLink {
            guard try await context.storefrontLinks.bind(issuer: claims.iss, subject: claims.sub, customerID: customer.id, now: now) else {
                throw SignOnError(.conflict, "This store account is already linked to another storefront account.", returnURL: back)
            }
        }
        guard customer.isActive else { throw SignOnError(.forbidden, "Your store account is disabled.", returnURL: back) }
        let kind: AuditEvent.Kind = outcome == .created ? .launchCreated : outcome == .updated ? .launchUpdated : .launchUnchanged
        try await context.record(kind, provider: provider.slug, customer: customer.id, subject: claims.jti, detail: "issuer \(claims.iss.prefix(200))")
        let login = session.signIn(customer, method: .storefrontLaunch, at: now, sessionIndex: context.random.samlID())
        // On as IdP-initiated SSO, with the provider and customer read above (not read again).
        return try await IdPInitiatedSignOn(context: context).send(customer, login: login, to: provider, relayState: input.relayState,
                                                                   bigCommerceRedirect: input.bigCommerceRedirect, session: &session)
    }
}
