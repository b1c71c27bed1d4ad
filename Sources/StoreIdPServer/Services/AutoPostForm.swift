import Foundation
import SignOn
import StoreIdPCore
import Vapor

/// An HTML form that posts itself to a partner (SAML HTTP-POST binding, saml-bindings §3.5.4;
/// JWT form delivery). Values are escaped by the template; the page allows exactly one script
/// (by nonce) and form submission to exactly the registered endpoint's origin.
struct AutoPostForm: Encodable {
    let title: String
    let message: String
    let action: String
    let fields: [Field]
    let nonce: String

    /// A hidden field. Its value (a SAML message or a token: several kilobytes) is escaped here in
    /// one pass over its bytes, since Leaf's escaper, which walks Unicode scalars one at a time,
    /// was a tenth of a sign-in's CPU; the template prints it with `#unsafeHTML`.
    struct Field: Encodable {
        let name: String
        let escapedValue: String

        init(_ field: AutoPost.Field) {
            name = field.name
            escapedValue = HTMLText.escaped(field.value)
        }
    }

    init(_ form: AutoPost) {
        title = form.title
        message = form.message
        action = form.action
        fields = form.fields.map(Field.init)
        nonce = IdentifierGenerator.secret(byteCount: 16)
    }

    func response(for request: Request) async throws -> Response {
        let response = try await request.view.render("post-form", self).encodeResponse(for: request)
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: contentSecurityPolicy)
        return response
    }

    /// `form-action` names the target's origin: CSP Level 3 matches form-action by URL, and a
    /// redirect after the POST (common at ACS endpoints) must stay allowed.
    var contentSecurityPolicy: String {
        let origin = URLComponents(string: action).flatMap { components -> String? in
            guard let scheme = components.scheme, let host = components.host else { return nil }
            return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
        } ?? "'none'"
        return "default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-\(nonce)'; form-action \(origin); frame-ancestors 'none'; base-uri 'none'"
    }
}
