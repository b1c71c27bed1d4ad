import Foundation
import SAML
import SignOn
import StoreIdPCore
import Vapor

/// The SAML endpoints: `GET /saml/metadata`, `GET|POST /saml/sso` (AuthnRequest, HTTP-Redirect and
/// HTTP-POST bindings) and `GET /saml/continue` (the same request after the customer signed in),
/// answered by `SAMLSignOn`. Single logout is `SAMLLogoutController`.
struct SAMLController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let saml = routes.grouped("saml")
        saml.get("metadata", use: metadata)
        saml.get("sso", use: singleSignOn)
        saml.on(.POST, "sso", body: .collect(maxSize: SAMLHTTPBinding.maximumPostBody), use: singleSignOn)
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
        let message = try SAMLHTTPBinding.decode(request, expecting: .request)
        let flow = SAMLSignOn(context: request.signOnContext)
        return try await signOnFlow { try await request.withSignOnSession { try await flow.receive(message, session: &$0) } }
            .response(for: request)
    }

    func resume(_ request: Request) async throws -> Response {
        let flow = SAMLSignOn(context: request.signOnContext)
        return try await signOnFlow { try await request.withSignOnSession { try await flow.resume(session: &$0) } }
            .response(for: request)
    }
}
