import Foundation
import SAML
import StoreIdPCore

/// Answers a SAML service provider at a registered ACS: a signed Response with one assertion for
/// the customer (saml-profiles §4.1.4.2), or a signed Response carrying only an error status
/// (saml-core §3.2.2.2). Shared by IdP-initiated SSO, SP-initiated SSO and its resumption.
struct SAMLAnswer {
    let context: SignOnContext

    /// The assertion, its audit row, and the session's participant entry for single logout.
    func assertion(for customer: Customer, login: SignOnSession.Login, provider: ServiceProvider, settings: ServiceProvider.SAMLSettings,
                   acsURL: String, inResponseTo: String?, relayState: String?, authnContextClassRef: String,
                   session: inout SignOnSession) async throws -> SignOnOutcome {
        let now = context.now
        let factory = context.payloads
        let payload = try context.payload(for: customer, provider: provider, authTime: login.authTime)
        let nameID = SAMLNameID.issued(try factory.samlNameID(customer: customer, provider: provider, settings: settings), to: settings)
        let builder = try context.saml.responseBuilder(keyRing: try context.keys.current())
        let parameters = SAMLResponseBuilder.Parameters(
            serviceProvider: provider, acsURL: acsURL, inResponseTo: inResponseTo, nameID: nameID, payload: payload,
            now: now, authnInstant: login.authTime, sessionIndex: login.sessionIndex, authnContextClassRef: authnContextClassRef)
        let document = try await SignOnMetrics.timeSigning(.samlResponse) { try builder.build(parameters) }
        session.addParticipant(SessionParticipant(slug: provider.slug, nameID: nameID, sessionIndex: login.sessionIndex))
        try await context.record(.samlResponse, provider: provider.slug, customer: customer.id, subject: document.assertionID,
                                 detail: inResponseTo.map { "in response to \($0.prefix(100))" } ?? "IdP-initiated")
        let message = try SAMLPostBinding.message(xml: document.xml, parameter: .response, relayState: relayState, destination: acsURL)
        return .deliver(message, title: "Signing you in…", text: "Taking you to \(provider.name)…")
    }

    /// A Response with an error status to an ACS the request proved to be the provider's own.
    func status(_ status: SAMLStatus, provider: ServiceProvider, acsURL: String, inResponseTo: String?, relayState: String?) async throws -> SignOnOutcome {
        let builder = try context.saml.responseBuilder(keyRing: try context.keys.current())
        let document = try builder.buildError(serviceProvider: provider, acsURL: acsURL, inResponseTo: inResponseTo, status: status, now: context.now)
        try await context.record(.samlErrorResponse, provider: provider.slug, subject: document.responseID,
                                 detail: (status.secondLevel ?? status.code).rawValue)
        let message = try SAMLPostBinding.message(xml: document.xml, parameter: .response, relayState: relayState, destination: acsURL)
        return .deliver(message, title: "Returning you", text: "Returning you to \(provider.name)…")
    }
}

extension SignOnOutcome {
    /// A SAML message as the browser carries it: a form for HTTP-POST, a redirect for
    /// HTTP-Redirect (saml-bindings §3.5.4, §3.4.4). The form's fields come from the binding.
    static func deliver(_ message: SAMLOutboundMessage, title: String, text: String) -> SignOnOutcome {
        switch message {
        case let .redirect(url):
            return .redirect(url)
        case let .post(action, _, _, _):
            return .post(AutoPost(action: action, fields: message.formFields.map { AutoPost.Field(name: $0.name, value: $0.value) },
                                  title: title, message: text))
        }
    }
}
