import Foundation
import SAML
import StoreIdPCore
import Vapor
import XMLSecurity

/// The SAML endpoints: `GET /saml/metadata`, `GET|POST /saml/sso` (AuthnRequest, HTTP-Redirect and
/// HTTP-POST bindings), `GET /saml/continue` (the same request after the customer signed in).
/// Single logout is `SAMLLogoutController`.
///
/// Anything wrong before the request has proved which registered ACS it comes from is an error
/// page; after that, errors go back to that ACS as a SAML status (saml-core §3.2.2.2). Nothing is
/// ever posted to an address the request named but the registry does not hold.
struct SAMLController: RouteCollection {
    /// A SAMLRequest is at most 1 MiB encoded (`SAMLMessageLimits`); the form around it a little more.
    static let maximumPostBody: ByteCount = "1100kb"

    func boot(routes: any RoutesBuilder) throws {
        let saml = routes.grouped("saml")
        saml.get("metadata", use: metadata)
        saml.get("sso", use: singleSignOn)
        saml.on(.POST, "sso", body: .collect(maxSize: Self.maximumPostBody), use: singleSignOn)
        saml.get("continue", use: resume)
    }

    /// IdP metadata (saml-metadata §2.4.3) with every published RSA key, signed with the active one.
    func metadata(_ request: Request) async throws -> Response {
        let services = request.storeIdP
        let now = request.now
        let ring = try services.keyRing.current()
        guard let active = ring.active else { throw PageError(.serviceUnavailable, "No signing key is active.") }
        let certificates = ring.published(at: now).filter { $0.algorithm == .rs256 }.map(\.certificatePEM)
        let key = try services.saml.signingKey(active)
        let xml = try IdentityProviderMetadata.document(
            identityProvider: services.saml.identityProvider, certificatesPEM: certificates, signingKey: key,
            id: IdentifierGenerator.samlID(), validUntil: now.addingTimeInterval(7 * 24 * 3600), cacheDuration: 24 * 3600
        )
        let response = Response(status: .ok, body: .init(data: xml))
        response.headers.contentType = HTTPMediaType(type: "application", subType: "samlmetadata+xml")
        // Partners refresh daily; a rotation's `next` key is published well before it signs.
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return response
    }

    func singleSignOn(_ request: Request) async throws -> Response {
        let message = try Self.decode(request, expecting: .request)
        let directory = ProviderDirectory(database: request.db)
        let issuer = (try? AuthnRequest(element: message.root))?.issuer
        let provider = try await issuer.asyncFlatMap { try await directory.find(entityID: $0) }
        let services = request.storeIdP
        let validator = AuthnRequestValidator(identityProvider: services.saml.identityProvider, certificateCache: services.saml.certificates)
        let now = request.now
        let validated: ValidatedAuthnRequest
        do {
            validated = try validator.validate(message, now: now) { $0 == issuer ? provider : nil }
        } catch {
            return try await refuse(error, request: request)
        }
        // saml-profiles §4.1.4.5 asks the IdP to keep request IDs against replay; every node sees
        // the same cache because it is in the database.
        let fresh = try await ReplayCache(database: request.db).claim(
            validated.requestID, namespace: "saml-authn:" + (issuer ?? ""),
            until: now.addingTimeInterval(2 * validator.allowedClockSkew + 600), now: now)
        guard fresh else {
            throw PageError(.badRequest, "This sign-in request has already been used. Please start again from \(validated.serviceProvider.name).")
        }
        let session = request.storeSession
        let customer = try await session.customer()
        if validated.isPassive, customer == nil || validated.forceAuthn {
            return try await replyWithStatus(SAMLStatus(code: .responder, secondLevel: .noPassive), to: validated, request: request)
        }
        guard let customer, !validated.forceAuthn else {
            session.pendingAuthnRequest = PendingAuthnRequest(
                slug: validated.serviceProvider.slug, requestID: validated.requestID, acsURL: validated.assertionConsumerService.url,
                relayState: validated.relayState, forceAuthn: validated.forceAuthn, receivedAt: now,
                authnContextClassRef: validated.authnContextClassRef)
            return request.redirect(to: validated.forceAuthn ? "/login?return_to=/saml/continue&reauth=1" : "/login?return_to=/saml/continue", redirectType: .normal)
        }
        try SSOController.checkAccess(customer, validated.serviceProvider)
        return try await SAMLResponder(request: request).respond(
            customer: customer, provider: validated.serviceProvider, acsURL: validated.assertionConsumerService.url,
            inResponseTo: validated.requestID, relayState: validated.relayState, authnContextClassRef: validated.authnContextClassRef)
    }

    /// After the login an AuthnRequest waited for: answer it.
    func resume(_ request: Request) async throws -> Response {
        let session = request.storeSession
        guard let pending = session.pendingAuthnRequest else {
            throw PageError(.badRequest, "There is no sign-in request waiting. Please start again from the partner's site.")
        }
        guard let customer = try await session.customer() else {
            return request.redirect(to: "/login?return_to=/saml/continue", redirectType: .normal)
        }
        // ForceAuthn (saml-core §3.4.1): the password must have been entered after the request arrived.
        if pending.forceAuthn, (session.authTime ?? .distantPast) <= pending.receivedAt {
            return request.redirect(to: "/login?return_to=/saml/continue&reauth=1", redirectType: .normal)
        }
        session.pendingAuthnRequest = nil
        guard let provider = try await ProviderDirectory(database: request.db).find(slug: pending.slug),
              provider.saml?.assertionConsumerServices.contains(where: { $0.url == pending.acsURL }) == true else {
            throw PageError(.notFound, "The partner service that asked you to sign in is no longer registered.")
        }
        try SSOController.checkAccess(customer, provider)
        return try await SAMLResponder(request: request).respond(
            customer: customer, provider: provider, acsURL: pending.acsURL, inResponseTo: pending.requestID,
            relayState: pending.relayState, authnContextClassRef: pending.authnContextClassRef)
    }

    private func refuse(_ rejection: AuthnRequestRejection, request: Request) async throws -> Response {
        request.logger.info("AuthnRequest refused", metadata: ["reason": .string(rejection.description)])
        guard !rejection.showsErrorPage else {
            throw PageError(.badRequest, "The partner's sign-in request was refused: \(rejection.description)")
        }
        let builder = try request.storeIdP.saml.responseBuilder(keyRing: try request.storeIdP.keyRing.current())
        guard let document = try builder.buildError(for: rejection, now: request.now), let reply = rejection.replyTo else {
            throw PageError(.badRequest, "The partner's sign-in request was refused: \(rejection.description)")
        }
        return try await SAMLResponder(request: request).respondWithError(document, provider: reply.serviceProvider.slug,
                                                                          acsURL: reply.acsURL, relayState: reply.relayState)
    }

    private func replyWithStatus(_ status: SAMLStatus, to validated: ValidatedAuthnRequest, request: Request) async throws -> Response {
        let builder = try request.storeIdP.saml.responseBuilder(keyRing: try request.storeIdP.keyRing.current())
        let document = try builder.buildError(serviceProvider: validated.serviceProvider, acsURL: validated.assertionConsumerService.url,
                                              inResponseTo: validated.requestID, status: status, now: request.now)
        return try await SAMLResponder(request: request).respondWithError(document, provider: validated.serviceProvider.slug,
                                                                          acsURL: validated.assertionConsumerService.url, relayState: validated.relayState)
    }

    /// The message of either binding: GET carries it in the raw query (HTTP-Redirect, whose
    /// signature covers the exact encoded octets), POST in a form field (HTTP-POST).
    static func decode(_ request: Request, expecting parameter: SAMLMessageParameter) throws -> SAMLInboundMessage {
        do {
            if request.method == .GET {
                guard let query = request.url.query, !query.isEmpty else {
                    throw PageError(.badRequest, "This address expects a SAML message from a partner service.")
                }
                return try SAMLRedirectBinding.decode(rawQuery: query, expecting: parameter)
            }
            try request.requireBodySize(atMost: maximumPostBody)
            struct Form: Decodable {
                var SAMLRequest: String?
                var SAMLResponse: String?
                var RelayState: String?
            }
            guard let form = try? request.content.decode(Form.self) else {
                throw PageError(.badRequest, "The SAML form could not be read.")
            }
            let value = parameter == .request ? form.SAMLRequest : form.SAMLResponse
            return try SAMLPostBinding.decode(encoded: value ?? "", relayState: form.RelayState, expecting: parameter)
        } catch let error as SAMLRequestError {
            throw PageError(.badRequest, "The SAML message was refused: \(error.description)")
        }
    }
}

extension Optional {
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
