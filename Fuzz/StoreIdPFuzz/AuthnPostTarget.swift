import Foundation
import SAML

/// `POST /saml/sso`: the SAMLRequest form value (already form-decoded) through the HTTP-POST
/// binding (saml-bindings §3.5) and the AuthnRequest validator, enveloped signatures included.
enum AuthnPostTarget {
    static let validator = AuthnRequestValidator(identityProvider: FuzzFixtures.identityProvider)

    static func run(_ input: Data) -> String {
        do {
            let message = try SAMLPostBinding.decode(encoded: String(decoding: input, as: UTF8.self), relayState: "fuzz")
            return AuthnValidation.validate(message, with: validator)
        } catch {
            return "refused by the binding: \(error.description)"
        }
    }
}
