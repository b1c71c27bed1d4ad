import Foundation
import SAML
import StoreIdPCore

/// Single logout (saml-core §3.7, saml-profiles §4.4), both ways.
///
/// - A partner's LogoutRequest must be signed (saml-profiles §4.4.4.1: "MUST be signed or
///   otherwise authenticated"), must name this session's NameID for that partner and its
///   SessionIndex, and ends the login. Every other partner of the session is then sent a
///   LogoutRequest in turn (§4.4.3.4), and the partner that started it gets its LogoutResponse
///   last (§4.4.3.5): Success, or Success/PartialLogout when another partner did not confirm.
/// - `POST /logout` ends the login and walks the same chain without an initiator.
/// - A partner's LogoutResponse moves the chain on. It counts as confirmed only when it is signed
///   with that partner's registered key, answers the request sent, and says Success (§4.4.4.2).
///
/// A partner without a single logout endpoint gets an error page: it has nowhere to be answered.
public struct SAMLLogout: Sendable {
    public let context: SignOnContext

    public init(context: SignOnContext) { self.context = context }

    /// A partner's LogoutRequest (`GET|POST /saml/slo` carrying SAMLRequest).
    public func partnerRequested(_ message: SAMLInboundMessage, session: inout SignOnSession) async throws -> SignOnOutcome {
        let now = context.now
        let validated: ValidatedLogoutRequest
        do {
            let request = try LogoutRequestValidator.read(message)
            let provider = try await request.issuer.asyncMap { try await context.providers.provider(entityID: $0) } ?? nil
            let validator = LogoutRequestValidator(identityProvider: context.saml.identityProvider, requireSignedRequests: true,
                                                   certificateCache: context.saml.certificates)
            validated = try validator.validate(message, request: request, serviceProvider: provider, now: now)
        } catch let error as SAMLRequestError {
            throw SignOnError(.badRequest, "The partner's sign-out request was refused: \(error.description)")
        }
        let provider = validated.serviceProvider
        guard let settings = provider.saml, !settings.singleLogoutServices.isEmpty else {
            throw SignOnError(.badRequest, "\(provider.name) sent a sign-out request but has no single logout endpoint registered to answer.")
        }
        guard try await context.replay.claim(validated.request.id, namespace: "saml-logout:" + settings.entityID,
                                             until: now.addingTimeInterval(900), now: now) else {
            throw SignOnError(.badRequest, "This sign-out request has already been used.")
        }
        let initiator = LogoutChain.Initiator(slug: provider.slug, requestID: validated.request.id, relayState: validated.relayState,
                                              binding: validated.binding)
        guard let login = session.currentLogin(now: now, lifetime: context.sessionLifetime) else {
            // No login left: the customer is already signed out here, which is success.
            session = SignOnSession()
            return try await answer(initiator, status: .success)
        }
        let participant = session.participants.first { $0.slug == provider.slug }
        let request = validated.request
        let matches = participant.map { $0.nameID.value == request.nameID.value && request.sessionIndexes.contains($0.sessionIndex) } ?? false
        guard matches else {
            let status = SAMLStatus(code: .requester, message: request.sessionIndexes.isEmpty
                                    ? "The LogoutRequest must name the SessionIndex of the session to end."
                                    : "The NameID or SessionIndex does not match this session.")
            return try await answer(initiator, status: status)
        }
        try await context.record(.samlLogout, provider: provider.slug, customer: login.customerID, subject: request.id, detail: "partner-initiated")
        let others = session.participants.filter { $0.slug != provider.slug }
        session = SignOnSession(logoutChain: LogoutChain(remaining: others, initiator: initiator))
        return try await continueChain(session: &session)
    }

    /// `POST /logout`: the customer signs out of the store and of every partner of the session.
    /// `returnTo`: where the browser goes at the end (an OpenID client's post-logout URI).
    public func customerRequested(session: inout SignOnSession, returnTo: String? = nil) async throws -> SignOnOutcome {
        let customerID = session.login?.customerID
        let participants = session.participants
        try await context.record(.logout, customer: customerID,
                                 detail: participants.isEmpty ? nil : "telling \(participants.count) partner(s)")
        session = SignOnSession(logoutChain: LogoutChain(remaining: participants, returnTo: returnTo))
        return try await continueChain(session: &session)
    }

    /// A partner's LogoutResponse (`GET|POST /saml/slo` carrying SAMLResponse).
    public func partnerAnswered(_ message: SAMLInboundMessage, session: inout SignOnSession) async throws -> SignOnOutcome {
        guard var chain = session.logoutChain else { return .signedOut(unconfirmed: []) }
        if let awaiting = chain.awaiting {
            chain.awaiting = nil
            var confirmed = false
            if let provider = try await context.providers.provider(slug: awaiting.slug) {
                do {
                    let response = try LogoutResponseValidator.read(message)
                    let validator = LogoutResponseValidator(identityProvider: context.saml.identityProvider, certificateCache: context.saml.certificates)
                    let code = try validator.validate(message, response: response, serviceProvider: provider,
                                                      inResponseTo: awaiting.requestID, now: context.now)
                    confirmed = code == .success
                } catch let error as SAMLRequestError {
                    try await context.record(.samlLogoutResponseRejected, provider: awaiting.slug, subject: awaiting.requestID,
                                             detail: String(error.description.prefix(300)))
                }
            }
            if !confirmed { chain.unconfirmed.append(awaiting.slug) }
        }
        session.logoutChain = chain
        return try await continueChain(session: &session)
    }

    /// The next LogoutRequest, or the end of the chain.
    func continueChain(session: inout SignOnSession) async throws -> SignOnOutcome {
        guard var chain = session.logoutChain else { return .signedOut(unconfirmed: []) }
        while let participant = chain.remaining.first {
            chain.remaining.removeFirst()
            guard let provider = try await context.providers.provider(slug: participant.slug),
                  provider.saml?.singleLogoutServices.isEmpty == false else { continue }
            let builder = try context.saml.logoutBuilder(keyRing: try context.keys.current())
            let (message, requestID) = try builder.logoutRequest(serviceProvider: provider, nameID: participant.nameID,
                                                                 sessionIndex: participant.sessionIndex, now: context.now)
            chain.awaiting = LogoutChain.Awaiting(slug: provider.slug, requestID: requestID)
            session.logoutChain = chain
            return .deliver(message, title: "Signing out", text: "Signing you out of \(provider.name)…")
        }
        session = SignOnSession()
        guard let initiator = chain.initiator else {
            if let returnTo = chain.returnTo { return .redirect(returnTo) }
            return .signedOut(unconfirmed: chain.unconfirmed)
        }
        let status = chain.unconfirmed.isEmpty ? SAMLStatus.success : SAMLStatus(code: .success, secondLevel: .partialLogout)
        return try await answer(initiator, status: status)
    }

    /// The LogoutResponse owed to the partner that asked (saml-core §3.7.2).
    private func answer(_ initiator: LogoutChain.Initiator, status: SAMLStatus) async throws -> SignOnOutcome {
        guard let provider = try await context.providers.provider(slug: initiator.slug) else { return .signedOut(unconfirmed: []) }
        let builder = try context.saml.logoutBuilder(keyRing: try context.keys.current())
        let message: SAMLOutboundMessage
        do {
            message = try builder.logoutResponse(serviceProvider: provider, inResponseTo: initiator.requestID, status: status,
                                                 relayState: initiator.relayState, preferredBinding: initiator.binding, now: context.now)
        } catch .noSingleLogoutService {
            throw SignOnError(.badRequest, "\(provider.name) has no single logout endpoint registered to answer.")
        }
        return .deliver(message, title: "Signing out", text: "Signing you out…")
    }
}
