import Foundation
import SAML
import StoreIdPCore
import Vapor

/// Single logout (saml-profiles §4.4, saml-core §3.7) at `GET|POST /saml/slo`.
///
/// - A partner's LogoutRequest (either binding; its signature checked when it signs, required
///   when it must) ends the store session when it names this session's NameID and SessionIndex,
///   and is answered with a signed LogoutResponse to the partner's SLO endpoint.
/// - `POST /logout` starts the other direction: a LogoutRequest to each partner of the session
///   that has an SLO endpoint, one after the other, each LogoutResponse arriving here before the
///   next; then the session ends.
struct SAMLLogoutController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("saml", "slo", use: singleLogout)
        routes.on(.POST, "saml", "slo", body: .collect(maxSize: SAMLController.maximumPostBody), use: singleLogout)
    }

    func singleLogout(_ request: Request) async throws -> Response {
        if try Self.carriesResponse(request) {
            return try await partnerAnswered(request)
        }
        let message = try SAMLController.decode(request, expecting: .request)
        let issuer = (try? LogoutRequest(element: message.root))?.issuer
        let provider = try await issuer.asyncFlatMap { try await ProviderDirectory(database: request.db).find(entityID: $0) }
        let services = request.storeIdP
        let now = request.now
        let validator = LogoutRequestValidator(identityProvider: services.saml.identityProvider, certificateCache: services.saml.certificates)
        let validated: ValidatedLogoutRequest
        do {
            validated = try validator.validate(message, now: now) { $0 == issuer ? provider : nil }
        } catch {
            throw PageError(.badRequest, "The partner's sign-out request was refused: \(error.description)")
        }
        guard try await ReplayCache(database: request.db).claim(validated.request.id, namespace: "saml-logout:" + (issuer ?? ""),
                                                               until: now.addingTimeInterval(900), now: now) else {
            throw PageError(.badRequest, "This sign-out request has already been used.")
        }
        let session = request.storeSession
        let participant = session.participants.first { $0.slug == validated.serviceProvider.slug }
        let signedIn = session.customerID != nil
        let matches = participant.map { participant in
            participant.nameID == validated.request.nameID.value
                && (validated.request.sessionIndexes.isEmpty || validated.request.sessionIndexes.contains(participant.sessionIndex))
        } ?? false
        let status: SAMLStatus
        if matches || !signedIn {
            // No session left means the customer is already signed out: that is success.
            status = SAMLStatus(code: .success)
            if signedIn {
                try await AuditLog(database: request.db).record("saml.logout", at: now, serviceProvider: validated.serviceProvider.slug,
                                                                customerID: session.customerID, subjectID: validated.request.id,
                                                                clientAddress: request.clientAddress, detail: "partner-initiated")
                session.signOut()
            }
        } else {
            status = SAMLStatus(code: .requester, message: "The NameID or SessionIndex does not match this session.")
        }
        let builder = try services.saml.logoutBuilder(keyRing: try services.keyRing.current())
        let answer = try builder.logoutResponse(to: validated, status: status, now: now)
        return try await Self.deliver(answer, request: request, message: "Signing you out…")
    }

    /// `POST /logout` of a session with SAML partners: the first LogoutRequest of the chain.
    static func startChain(_ request: Request) async throws -> Response? {
        let session = request.storeSession
        let providers = ProviderDirectory(database: request.db)
        var remaining: [SessionParticipant] = []
        for participant in session.participants {
            if let provider = try await providers.find(slug: participant.slug), provider.saml?.singleLogoutServices.isEmpty == false {
                remaining.append(participant)
            }
        }
        try await AuditLog(database: request.db).record("logout", at: request.now, customerID: session.customerID, clientAddress: request.clientAddress,
                                                        detail: remaining.isEmpty ? nil : "telling \(remaining.count) partner(s)")
        guard !remaining.isEmpty else { return nil }
        session.endLogin(continuingWith: LogoutChain(waitingFor: nil, remaining: remaining))
        return try await continueChain(request)
    }

    /// The next LogoutRequest, or the end of the chain.
    static func continueChain(_ request: Request) async throws -> Response {
        let session = request.storeSession
        guard var chain = session.logoutChain else { return request.redirect(to: "/login", redirectType: .normal) }
        let services = request.storeIdP
        while let participant = chain.remaining.first {
            chain.remaining.removeFirst()
            guard let provider = try await ProviderDirectory(database: request.db).find(slug: participant.slug) else { continue }
            let builder = try services.saml.logoutBuilder(keyRing: try services.keyRing.current())
            let (message, requestID) = try builder.logoutRequest(
                serviceProvider: provider,
                nameID: SAMLNameID(value: participant.nameID, format: participant.nameIDFormat,
                                   spNameQualifier: participant.nameIDFormat == ServiceProvider.SAMLSettings.NameIDFormat.email.rawValue ? nil : provider.saml?.entityID),
                sessionIndex: participant.sessionIndex, now: request.now)
            chain.waitingFor = requestID
            session.logoutChain = chain
            return try await deliver(message, request: request, message: "Signing you out of \(provider.name)…")
        }
        session.signOut()
        return request.redirect(to: "/login", redirectType: .normal)
    }

    /// A partner's LogoutResponse to our LogoutRequest: on to the next partner. It changes nothing
    /// but the order of the chain, so an unexpected one only moves the chain on.
    private func partnerAnswered(_ request: Request) async throws -> Response {
        let message = try SAMLController.decode(request, expecting: .response)
        let session = request.storeSession
        guard let chain = session.logoutChain else {
            return request.redirect(to: "/login", redirectType: .normal)
        }
        if let waiting = chain.waitingFor, message.root.attribute("InResponseTo") != waiting {
            request.logger.info("LogoutResponse for another request", metadata: ["expected": .string(waiting)])
        }
        return try await Self.continueChain(request)
    }

    static func carriesResponse(_ request: Request) throws -> Bool {
        if request.method == .GET {
            return (request.url.query ?? "").split(separator: "&").contains { $0.hasPrefix("SAMLResponse=") }
        }
        struct Probe: Decodable { var SAMLResponse: String? }
        try request.requireBodySize(atMost: SAMLController.maximumPostBody)
        return (try? request.content.decode(Probe.self))?.SAMLResponse != nil
    }

    static func deliver(_ message: SAMLOutboundMessage, request: Request, message text: String) async throws -> Response {
        switch message {
        case let .redirect(url):
            return request.redirect(to: url, redirectType: .normal)
        case let .post(action, _, _, _):
            return try await AutoPostForm(title: "Signing out", message: text, action: action,
                                          fields: message.formFields.map { .init(name: $0.name, value: $0.value) }).response(for: request)
        }
    }
}
