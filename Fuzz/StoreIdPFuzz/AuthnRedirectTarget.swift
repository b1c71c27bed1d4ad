import Foundation
import SAML

/// `GET /saml/sso?SAMLRequest=…`: the raw query string (still percent-encoded) through the
/// HTTP-Redirect binding (saml-bindings §3.4) and the AuthnRequest validator.
enum AuthnRedirectTarget {
    static let validator = AuthnRequestValidator(identityProvider: FuzzFixtures.identityProvider)

    static func run(_ input: Data) -> String {
        do {
            let message = try SAMLRedirectBinding.decode(rawQuery: String(decoding: input, as: UTF8.self))
            return AuthnValidation.validate(message, with: validator)
        } catch {
            return "refused by the binding: \(error.description)"
        }
    }
}

/// What the server does with a decoded AuthnRequest: validate it, and read every part of
/// the answer it would send (so that error texts are built, as the error page builds them).
enum AuthnValidation {
    static func validate(_ message: SAMLInboundMessage, with validator: AuthnRequestValidator) -> String {
        do {
            let validated = try validator.validate(message, now: FuzzFixtures.now, serviceProvider: FuzzFixtures.serviceProvider)
            return "accepted \(validated.requestID) from \(validated.serviceProvider.slug), signed: \(validated.signatureVerified)"
        } catch {
            _ = error.error.samlStatus
            return "refused: \(error.error.description)"
        }
    }
}
