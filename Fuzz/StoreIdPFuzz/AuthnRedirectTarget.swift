import Foundation
import SAML

/// `GET /saml/sso?SAMLRequest=…`: the raw query string (still percent-encoded) through the
/// HTTP-Redirect binding (saml-bindings §3.4) and the AuthnRequest validator.
enum AuthnRedirectTarget {
    static let validator = AuthnRequestValidator(identityProvider: FuzzFixtures.identityProvider)

    static func run(_ input: Data) {
        guard let message = try? SAMLRedirectBinding.decode(rawQuery: String(decoding: input, as: UTF8.self)) else { return }
        AuthnValidation.validate(message, with: validator)
    }
}

/// What the server does with a decoded AuthnRequest: validate it, and read every part of
/// the answer it would send (so that error texts are built, as the error page builds them).
enum AuthnValidation {
    static func validate(_ message: SAMLInboundMessage, with validator: AuthnRequestValidator) {
        do {
            let validated = try validator.validate(message, now: FuzzFixtures.now, serviceProvider: FuzzFixtures.serviceProvider)
            _ = validated.requestID
        } catch {
            _ = error.error.description
            _ = error.error.samlStatus
        }
    }
}
