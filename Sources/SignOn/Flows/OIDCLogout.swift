import Foundation
import JWTSSO
import StoreIdPCore

/// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2, §3): a client sends the
/// browser here to end the store session. `post_logout_redirect_uri` must be registered for the
/// client named by `id_token_hint` (or `client_id`), else an error page. With a hint that StoreIdP
/// signed for the signed-in customer, the session ends at once; otherwise the customer is asked
/// first, so a link cannot sign someone out unawares. The store session's SAML partners are then
/// told through `SAMLLogout`, and the browser goes to the client with `state`.
public struct OIDCLogout: Sendable {
    public struct Input: Sendable, Equatable {
        public var parameters: OAuthParameters
        public var layout: OpenIDProviderLayout
        /// True when the customer answered the question (a POST carrying the CSRF token).
        public var confirmed: Bool

        public init(parameters: OAuthParameters, layout: OpenIDProviderLayout, confirmed: Bool) {
            self.parameters = parameters
            self.layout = layout
            self.confirmed = confirmed
        }
    }

    public let context: SignOnContext

    public init(context: SignOnContext) { self.context = context }

    public func end(_ input: Input, session: inout SignOnSession) async throws -> SignOnOutcome {
        let parameters = input.parameters
        let endpoints = input.layout.endpoints(base: context.issuer)
        guard !parameters.malformed, parameters.repeated.isEmpty else {
            throw SignOnError(.badRequest, "The sign-out request's parameters are malformed or repeated.")
        }
        if let state = parameters["state"], state.utf8.count > OIDCAuthorizationRequest.maximumStateBytes {
            throw SignOnError(.badRequest, "The sign-out request's state is longer than \(OIDCAuthorizationRequest.maximumStateBytes) bytes.")
        }
        // The hint: an ID token StoreIdP signed under this issuer; an expired one still names the
        // session (RP-Initiated Logout 1.0 §2 "The OP need not be the audience ... expired").
        var hinted: IDTokenHint?
        if let hint = parameters["id_token_hint"] {
            do { hinted = try IDTokenHint.read(hint, layout: input.layout, context: context) } catch is IDTokenHint.Invalid {
                throw SignOnError(.badRequest, "The sign-out request's id_token_hint was not issued by this store.")
            }
        }
        if let named = parameters["client_id"], let hinted, named != hinted.clientID {
            throw SignOnError(.badRequest, "The sign-out request's client_id differs from its id_token_hint.")
        }
        var client: ServiceProvider?
        if let clientID = hinted?.clientID ?? parameters["client_id"] {
            guard clientID.utf8.count <= 256, let found = try await context.providers.provider(oidcClientID: clientID), input.layout.admits(found) else {
                throw SignOnError(.badRequest, "The application that sent you here is not registered with this store.")
            }
            client = found
        }
        // §3: the URI must have been registered for the client; without a client it cannot be checked.
        var returnTo: String?
        if let uri = parameters["post_logout_redirect_uri"] {
            guard let settings = client?.oidc, settings.postLogoutRedirectURIs.contains(uri) else {
                throw SignOnError(.badRequest, "The application asked to return you to an address it has not registered for sign-out.")
            }
            var extra: [(String, String)] = []
            if let state = parameters["state"] { extra.append(("state", state)) }
            returnTo = OAuthParameters.url(uri, adding: extra)
        }
        guard let (login, customer) = try await context.signedInCustomer(session) else {
            // Nobody is signed in: nothing to end.
            session = SignOnSession()
            return returnTo.map(SignOnOutcome.redirect) ?? .signedOut(unconfirmed: [])
        }
        var proven = false
        if let hinted, let client, let settings = client.oidc {
            proven = try OIDCSubject.of(customer, provider: client, settings: settings, payloads: context.payloads) == hinted.subject
        }
        guard proven || input.confirmed else {
            let names = ["id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales"]
            let fields = names.compactMap { name in parameters[name].map { AutoPost.Field(name: name, value: $0) } }
            return .confirmLogout(LogoutConfirmation(serviceName: client?.name, fields: fields, action: endpoints.endSession))
        }
        try await context.record(.oidcLogout, provider: client?.slug, customer: login.customerID, detail: proven ? "id_token_hint" : "confirmed")
        return try await SAMLLogout(context: context).customerRequested(session: &session, returnTo: returnTo)
    }
}
