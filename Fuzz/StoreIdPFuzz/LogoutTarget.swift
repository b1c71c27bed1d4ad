import Foundation
import SAML

/// `GET`/`POST /saml/slo`: a LogoutRequest (saml-core §3.7.1) decoded and validated. An input
/// that starts with `SAMLRequest=` is a redirect query string; any other is a POST form value.
enum LogoutTarget {
    static let validator = LogoutRequestValidator(identityProvider: FuzzFixtures.identityProvider)

    static func run(_ input: Data) -> String {
        let text = String(decoding: input, as: UTF8.self)
        let message: SAMLInboundMessage
        do {
            message = text.hasPrefix("SAMLRequest=")
                ? try SAMLRedirectBinding.decode(rawQuery: text)
                : try SAMLPostBinding.decode(encoded: text, relayState: nil)
        } catch {
            return "refused by the binding: \(error.description)"
        }
        do {
            let validated = try validator.validate(message, now: FuzzFixtures.now, serviceProvider: FuzzFixtures.serviceProvider)
            return "accepted \(validated.request.id), signed: \(validated.signatureVerified)"
        } catch {
            _ = error.samlStatus
            return "refused: \(error.description)"
        }
    }
}
