import Foundation
import SAML
import StoreIdPCore
import Vapor
import XMLSecurity

/// Issues a signed SAML Response to a registered ACS for the signed-in customer and answers with
/// the auto-posting form (saml-profiles §4.1.4, saml-bindings §3.5): shared by IdP-initiated SSO,
/// SP-initiated SSO and the resumption after login.
struct SAMLResponder {
    let request: Request

    func respond(customer: Customer, provider: ServiceProvider, acsURL: String, inResponseTo: String?, relayState: String?,
                 authnContextClassRef: String = SAMLAuthnContextClass.passwordProtectedTransport) async throws -> Response {
        guard let settings = provider.saml else { throw PageError(.internalServerError, "This service is not set up for SAML.") }
        let services = request.storeIdP
        let now = request.now
        let session = request.storeSession
        let factory = PayloadFactory(services: services)
        let payload: ProvisioningPayload
        do {
            payload = try factory.payload(customer: customer, provider: provider, now: now, authTime: session.authTime)
        } catch let missing as ProvisioningPayload.MissingRequiredValue {
            request.logger.warning("payload incomplete", metadata: ["provider": .string(provider.slug), "reason": .string(missing.description)])
            throw PageError(.forbidden, "\(provider.name) needs information your store account does not have yet (\(missing.attribute)). Please contact the store.")
        }
        let nameIDValue = try factory.samlNameID(customer: customer, provider: provider, settings: settings)
        let nameID = SAMLNameID(value: nameIDValue, format: settings.nameIDFormat.rawValue,
                                spNameQualifier: settings.nameIDFormat == .email || settings.nameIDFormat == .unspecified ? nil : settings.entityID)
        let sessionIndex = session.sessionIndex ?? IdentifierGenerator.samlID()
        let encryptionCertificate = try settings.encryption == nil ? nil : services.saml.certificates.certificates(settings.encryptionCertificates).first
        let ring = try services.keyRing.current()
        let builder = try services.saml.responseBuilder(keyRing: ring)
        let parameters = SAMLResponseBuilder.Parameters(
            serviceProvider: provider, acsURL: acsURL, inResponseTo: inResponseTo, nameID: nameID, payload: payload,
            now: now, authnInstant: session.authTime ?? now, sessionIndex: sessionIndex,
            authnContextClassRef: authnContextClassRef, encryptionCertificate: encryptionCertificate
        )
        let document = try await request.application.threadPool.runIfActive { try builder.build(parameters) }
        session.addParticipant(SessionParticipant(slug: provider.slug, nameID: nameIDValue, nameIDFormat: settings.nameIDFormat.rawValue, sessionIndex: sessionIndex))
        try await AuditLog(database: request.db).record(
            "saml.response", at: now, serviceProvider: provider.slug, customerID: customer.id, subjectID: document.assertionID,
            clientAddress: request.clientAddress, detail: inResponseTo.map { "in response to \($0)" } ?? "IdP-initiated"
        )
        var fields = [AutoPostForm.Field(name: "SAMLResponse", value: document.base64Encoded)]
        if let relayState { fields.append(.init(name: "RelayState", value: relayState)) }
        return try await AutoPostForm(message: "Taking you to \(provider.name)…", action: acsURL, fields: fields).response(for: request)
    }

    /// A SAML error status posted to an ACS that the request proved to be the SP's own.
    func respondWithError(_ document: SAMLResponseDocument, provider: String, acsURL: String, relayState: String?) async throws -> Response {
        try await AuditLog(database: request.db).record("saml.error_response", at: request.now, serviceProvider: provider,
                                                        subjectID: document.responseID, clientAddress: request.clientAddress)
        var fields = [AutoPostForm.Field(name: "SAMLResponse", value: document.base64Encoded)]
        if let relayState { fields.append(.init(name: "RelayState", value: relayState)) }
        return try await AutoPostForm(title: "Returning you", message: "Returning you to the service…", action: acsURL, fields: fields).response(for: request)
    }
}
