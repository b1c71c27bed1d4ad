import Vapor

/// The store session cookie.
///
/// `HttpOnly` always; `Secure` when the public URL is https. SameSite is `None` over https:
/// SP-initiated SAML with the HTTP-POST binding (saml-bindings §3.5) arrives as a cross-site
/// top-level POST from the partner's page, and browsers withhold `Lax` and `Strict` cookies from
/// such a request, so the customer would look signed out and be asked for a password again.
/// Cross-site requests cannot act with the cookie anyway: every state-changing form needs the
/// session's CSRF token. Browsers refuse `SameSite=None` without `Secure`, so over plain http
/// (local development) the cookie is `Lax`.
enum SessionCookie {
    static func factory(secure: Bool) -> @Sendable (SessionID) -> HTTPCookies.Value {
        { id in
            HTTPCookies.Value(string: id.string, expires: nil, maxAge: nil, domain: nil, path: "/",
                              isSecure: secure, isHTTPOnly: true, sameSite: secure ? HTTPCookies.SameSitePolicy.none : .lax)
        }
    }
}
