import Foundation
import JWTSSO
import StoreIdPCore

/// The authorization endpoint of the OpenID provider (OpenID Connect Core 1.0 §3.1.2; RFC 6749
/// §4.1.1): validates the request, signs the customer in when needed (or answers
/// `login_required` to `prompt=none`), applies the access policy, and sends a single-use code to
/// the registered redirect URI with `state` and `iss` (RFC 9207).
///
/// ```swift
/// let flow = OIDCAuthorization(context: context)
/// let outcome = try await flow.receive(parameters, layout: .standard, session: &session) // GET|POST /oidc/authorize
/// let after = try await flow.resume(session: &session)                                   // GET /oidc/continue
/// ```
public struct OIDCAuthorization: Sendable {
    /// Where the login form returns to, to answer the waiting request.
    public static let continuePath = "/oidc/continue"
    /// RFC 6749 §4.1.2 recommends at most ten minutes; StoreIdP gives one (RFC 9700 §4.5).
    public static let codeLifetime: TimeInterval = 60

    public let context: SignOnContext

    public init(context: SignOnContext) { self.context = context }

    public func receive(_ parameters: OAuthParameters, layout: OpenIDProviderLayout, session: inout SignOnSession) async throws -> SignOnOutcome {
        let request: OIDCAuthorizationRequest
        var client: ServiceProvider?
        do {
            request = try await OIDCAuthorizationRequest.read(parameters, layout: layout) { clientID in
                client = try await context.providers.provider(oidcClientID: clientID)
                return client
            }
        } catch let untrusted as OIDCAuthorizationRequest.Untrusted {
            throw SignOnError(.badRequest, untrusted.message)
        } catch let refused as OIDCAuthorizationRequest.Refused {
            try await context.record(.oidcError, provider: refused.client.slug, detail: String(refused.error.description.prefix(300)))
            return errorRedirect(refused.error, redirectURI: refused.redirectURI, state: refused.state, layout: layout)
        }
        guard let client else { throw SignOnError.unknownProvider() }
        return try await answer(PendingAuthorization(request: request, receivedAt: context.now), client: client, session: &session)
    }

    /// After the login a request waited for: answer it.
    public func resume(session: inout SignOnSession) async throws -> SignOnOutcome {
        guard let pending = session.pendingAuthorization else {
            throw SignOnError(.badRequest, "There is no sign-in request waiting. Please start again from the application's site.")
        }
        // Registration may have changed while the customer signed in.
        let request = pending.request
        guard let client = try await context.providers.provider(slug: request.providerSlug), request.layout.admits(client),
              client.oidc?.clientID == request.clientID, client.oidc?.redirectURIs.contains(request.redirectURI) == true else {
            session.pendingAuthorization = nil
            throw SignOnError(.notFound, "The application that asked you to sign in is no longer registered.")
        }
        return try await answer(pending, client: client, session: &session)
    }

    /// Answers `pending` for `client`, the registration just read for it (by `receive` or `resume`).
    private func answer(_ pending: PendingAuthorization, client: ServiceProvider, session: inout SignOnSession) async throws -> SignOnOutcome {
        let request = pending.request
        let now = context.now
        var signedIn = try await context.signedInCustomer(session)
        // OpenID Connect Core 1.0 §3.1.2.1 id_token_hint: a session of someone else than the
        // hinted customer does not answer the request (unless that login came after it).
        if let hint = request.idTokenHint {
            let hinted: IDTokenHint
            do { hinted = try IDTokenHint.read(hint, layout: request.layout, context: context) } catch is IDTokenHint.Invalid {
                session.pendingAuthorization = nil
                return errorRedirect(OAuthError(.invalidRequest, "id_token_hint was not issued by this provider"), redirectURI: request.redirectURI,
                                     state: request.state, layout: request.layout)
            }
            if let (login, customer) = signedIn, login.authTime < pending.receivedAt {
                guard hinted.clientID == request.clientID, let settings = client.oidc,
                      try OIDCSubject.of(customer, provider: client, settings: settings, payloads: context.payloads) == hinted.subject else {
                    signedIn = nil
                    if request.prompt.contains(.none) {
                        session.pendingAuthorization = nil
                        return errorRedirect(OAuthError(.loginRequired, "the signed-in customer is not the one the id_token_hint names"),
                                             redirectURI: request.redirectURI, state: request.state, layout: request.layout)
                    }
                    session.pendingAuthorization = pending
                    return .login(returnTo: Self.continuePath, reauthenticate: true)
                }
            }
        }
        let fresh = signedIn.map { login, _ in Self.satisfies(login, request: request, receivedAt: pending.receivedAt, now: now) } ?? false
        guard let (login, customer) = signedIn, fresh else {
            // OpenID Connect Core 1.0 §3.1.2.1 prompt=none: no login page, login_required.
            if request.prompt.contains(.none) {
                session.pendingAuthorization = nil
                return errorRedirect(OAuthError(.loginRequired, "the customer is not signed in"), redirectURI: request.redirectURI,
                                     state: request.state, layout: request.layout)
            }
            session.pendingAuthorization = pending
            return .login(returnTo: Self.continuePath, reauthenticate: signedIn != nil)
        }
        session.pendingAuthorization = nil
        guard let settings = client.oidc else { throw SignOnError.unknownProvider() }
        // The access policy: a refused customer is told at the client (RFC 6749 §4.1.2.1 access_denied).
        guard client.access.decision(for: customer).allowed else {
            try await context.record(.oidcError, provider: client.slug, customer: customer.id, detail: "access_denied: access policy")
            return errorRedirect(OAuthError(.accessDenied, "the customer's store account does not give access to this application"),
                                 redirectURI: request.redirectURI, state: request.state, layout: request.layout)
        }
        do {
            _ = try context.payloads.payload(customer: customer, provider: client, now: now, authTime: login.authTime)
        } catch let missing as ProvisioningPayload.MissingRequiredValue {
            return errorRedirect(OAuthError(.accessDenied, "the customer's store account lacks \(missing.attribute)"),
                                 redirectURI: request.redirectURI, state: request.state, layout: request.layout)
        }
        let code = context.random.secret(byteCount: 32)
        let scopes = OpenIDScope.granted(request.scopes, refreshTokens: settings.refreshTokens)
        let grant = OIDCGrant(
            id: context.random.secret(byteCount: 16), clientID: settings.clientID, providerSlug: client.slug, customerID: customer.id,
            scopes: scopes, nonce: request.nonce, authTime: login.authTime, redirectURI: request.redirectURI,
            codeChallenge: request.codeChallenge, issuer: request.layout.endpoints(base: context.issuer).issuer,
            subject: try OIDCSubject.of(customer, provider: client, settings: settings, payloads: context.payloads),
            codeExpiresAt: now.addingTimeInterval(Self.codeLifetime),
            expiresAt: now.addingTimeInterval(scopes.contains(OpenIDScope.offlineAccess) ? ServiceProvider.OIDCSettings.refreshTokenLifetime
                                                                                      : Self.codeLifetime + Double(settings.accessTokenLifetimeSeconds)))
        try await context.oidcGrants.create(grant, codeDigest: OpaqueTokenDigest.of(code))
        try await context.record(.oidcCodeIssued, provider: client.slug, customer: customer.id, subject: grant.id,
                                 detail: "scope " + scopes.joined(separator: " "))
        var parameters = [("code", code)]
        if let state = request.state { parameters.append(("state", state)) }
        parameters.append(("iss", grant.issuer))
        return .redirect(OAuthParameters.url(request.redirectURI, adding: parameters))
    }

    /// Whether the login is recent enough: `prompt=login` wants a password entered after the
    /// request arrived; `max_age` a login at most that old (OpenID Connect Core 1.0 §3.1.2.1). A
    /// login made after the request arrived satisfies both, so `max_age=0` ends after one login.
    static func satisfies(_ login: SignOnSession.Login, request: OIDCAuthorizationRequest, receivedAt: Date, now: Date) -> Bool {
        let afterRequest = login.authTime >= receivedAt
        if request.prompt.contains(.login), !(afterRequest && login.method == .password) { return false }
        if let maxAge = request.maxAge, !afterRequest, now.timeIntervalSince(login.authTime) > Double(maxAge) { return false }
        return true
    }

    /// The error on the client's registered redirect URI (RFC 6749 §4.1.2.1), with `state` and
    /// `iss` (RFC 9207 §2).
    func errorRedirect(_ error: OAuthError, redirectURI: String, state: String?, layout: OpenIDProviderLayout) -> SignOnOutcome {
        var parameters = [("error", error.code.rawValue), ("error_description", error.message)]
        if let state { parameters.append(("state", state)) }
        parameters.append(("iss", layout.endpoints(base: context.issuer).issuer))
        return .redirect(OAuthParameters.url(redirectURI, adding: parameters))
    }
}
