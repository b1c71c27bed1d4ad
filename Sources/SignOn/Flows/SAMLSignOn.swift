import Foundation
import SAML
import StoreIdPCore

/// SP-initiated SAML Web Browser SSO (saml-profiles §4.1): an AuthnRequest arrives over either
/// binding, is read once and validated, claimed against replay, and answered at once when the
/// customer is signed in in a way that satisfies it; otherwise it waits, as its typed value, for
/// the login, and `resume` answers it afterwards.
///
/// Anything wrong before the request has proved which registered ACS it comes from is an error
/// page; after that, errors go back to that ACS as a SAML status (saml-core §3.2.2.2). Nothing is
/// ever posted to an address the request named but the registry does not hold.
///
/// ```swift
/// let flow = SAMLSignOn(context: context)
/// let outcome = try await flow.receive(message, session: &session)   // GET|POST /saml/sso
/// let after = try await flow.resume(session: &session)               // GET /saml/continue
/// ```
public struct SAMLSignOn: Sendable {
    /// Where the login form returns to, to answer the waiting request.
    public static let continuePath = "/saml/continue"

    public let context: SignOnContext

    public init(context: SignOnContext) { self.context = context }

    private var validator: AuthnRequestValidator {
        AuthnRequestValidator(identityProvider: context.saml.identityProvider, certificateCache: context.saml.certificates)
    }

    public func receive(_ message: SAMLInboundMessage, session: inout SignOnSession) async throws -> SignOnOutcome {
        let now = context.now
        let validated: ValidatedAuthnRequest
        do {
            let request: AuthnRequest
            do throws(SAMLRequestError) { request = try AuthnRequestValidator.read(message) } catch { throw AuthnRequestRejection(error: error) }
            let provider = try await request.issuer.asyncMap { try await context.providers.provider(entityID: $0) } ?? nil
            validated = try validator.validate(message, request: request, serviceProvider: provider, now: now)
        } catch let rejection as AuthnRequestRejection {
            return try await refuse(rejection)
        }
        // saml-profiles §4.1.4.5 asks the IdP to keep request IDs against replay; every node sees
        // the same cache.
        let fresh = try await context.replay.claim(validated.requestID, namespace: "saml-authn:" + (validated.serviceProvider.saml?.entityID ?? ""),
                                                   until: now.addingTimeInterval(2 * validator.allowedClockSkew + 600), now: now)
        guard fresh else {
            throw SignOnError(.badRequest, "This sign-in request has already been used. Please start again from \(validated.serviceProvider.name).")
        }
        return try await answer(PendingAuthnRequest(request: validated, receivedAt: now), session: &session)
    }

    /// After the login a request waited for: answer it.
    public func resume(session: inout SignOnSession) async throws -> SignOnOutcome {
        guard let pending = session.pendingAuthnRequest else {
            throw SignOnError(.badRequest, "There is no sign-in request waiting. Please start again from the partner's site.")
        }
        // Registration may have changed while the customer signed in: the provider must still be
        // registered with the same ACS.
        let validated = pending.request
        guard let provider = try await context.providers.provider(slug: validated.serviceProvider.slug),
              provider.saml?.entityID == validated.serviceProvider.saml?.entityID,
              provider.saml?.assertionConsumerServices.contains(where: { $0.url == validated.assertionConsumerService.url }) == true else {
            session.pendingAuthnRequest = nil
            throw SignOnError(.notFound, "The partner service that asked you to sign in is no longer registered.")
        }
        return try await answer(pending, session: &session)
    }

    /// Answers the request for the signed-in customer, or asks for the login it needs.
    private func answer(_ pending: PendingAuthnRequest, session: inout SignOnSession) async throws -> SignOnOutcome {
        let validated = pending.request
        let provider = validated.serviceProvider
        let signedIn = try await context.signedInCustomer(session)
        // ForceAuthn (saml-core §3.4.1): a password entered after the request arrived.
        let freshEnough = signedIn.map { !validated.forceAuthn || ($0.0.method == .password && $0.0.authTime > pending.receivedAt) } ?? false
        let classRef = signedIn.flatMap { AuthnContextChoice.classRef(for: $0.0.method, requested: validated) }
        guard let (login, customer) = signedIn, freshEnough, let classRef else {
            if validated.isPassive {
                // IsPassive (saml-core §3.4.1): no login page. NoPassive when a login is needed;
                // NoAuthnContext when the session exists but cannot state what was asked for.
                session.pendingAuthnRequest = nil
                let second: SAMLStatusCode = signedIn != nil && freshEnough ? .noAuthnContext : .noPassive
                return try await SAMLAnswer(context: context).status(SAMLStatus(code: .responder, secondLevel: second), provider: provider,
                                                                     acsURL: validated.assertionConsumerService.url,
                                                                     inResponseTo: validated.requestID, relayState: validated.relayState)
            }
            session.pendingAuthnRequest = pending
            // A password is needed when the session is missing, too old for ForceAuthn, or began
            // with a launch link while the partner asked for a password context.
            return .login(returnTo: Self.continuePath, reauthenticate: signedIn != nil)
        }
        session.pendingAuthnRequest = nil
        guard let settings = provider.saml else { throw SignOnError.unknownProvider() }
        try context.checkAccess(customer, provider)
        return try await SAMLAnswer(context: context).assertion(
            for: customer, login: login, provider: provider, settings: settings, acsURL: validated.assertionConsumerService.url,
            inResponseTo: validated.requestID, relayState: validated.relayState, authnContextClassRef: classRef, session: &session)
    }

    private func refuse(_ rejection: AuthnRequestRejection) async throws -> SignOnOutcome {
        guard let reply = rejection.replyTo else {
            throw SignOnError(.badRequest, "The partner's sign-in request was refused: \(rejection.description)")
        }
        return try await SAMLAnswer(context: context).status(rejection.status, provider: reply.serviceProvider, acsURL: reply.acsURL,
                                                             inResponseTo: reply.requestID, relayState: reply.relayState)
    }
}

/// The AuthnContextClassRef an assertion states, from how the session authenticated and what the
/// request asked for (saml-core §3.3.2.2.1). A password login states what the validator chose;
/// a launch-link session states `unspecified` (saml-authn-context-2.0-os §3.4.25), and only when
/// the request accepts that: otherwise the customer is asked for the password.
public enum AuthnContextChoice {
    public static func classRef(for method: AuthenticationMethod, requested validated: ValidatedAuthnRequest) -> String? {
        switch method {
        case .password:
            return validated.authnContextClassRef
        case .storefrontLaunch:
            let unspecified = SAMLAuthnContextClass.unspecified
            guard let requested = validated.request.requestedAuthnContext else { return unspecified }
            guard requested.declRefs.isEmpty else { return nil }
            let known = [SAMLAuthnContextClass.passwordProtectedTransport, SAMLAuthnContextClass.password, unspecified]
            switch requested.comparison {
            // `unspecified` is the weakest class StoreIdP orders: exactly or at least itself only
            // when listed, at most any known class, never better than one.
            case .exact, .minimum: return requested.classRefs.contains(unspecified) ? unspecified : nil
            case .maximum: return requested.classRefs.contains(where: known.contains) ? unspecified : nil
            case .better: return nil
            }
        }
    }
}
