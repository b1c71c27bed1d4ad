import Foundation
import StoreIdPCore
import Vapor

/// CSRF protection for every form (OWASP CSRF Prevention Cheat Sheet, "Double-Submit Cookie"):
/// a random token in its own cookie, repeated in a hidden form field; a POST is
/// accepted only when both are present and equal (compared in constant time). It needs no
/// server-side session, so an anonymous login page stores nothing. Over https the cookie has the
/// `__Host-` prefix, so no other host can plant one (RFC 6265bis §4.1.3.2).
enum CSRFToken {
    static func cookieName(secure: Bool) -> String { secure ? "__Host-storeidp_csrf" : "storeidp_csrf" }

    /// The browser's token, created (and set on `response` by `attach`) when it has none.
    static func token(for request: Request) -> String {
        if let pending = request.storage[Pending.self] { return pending }
        let name = cookieName(secure: request.storeIdP.settings.usesHTTPS)
        if let existing = request.cookies[name]?.string, isWellFormed(existing) { return existing }
        let token = IdentifierGenerator.secret()
        request.storage[Pending.self] = token
        return token
    }

    /// Sets the cookie of a token made during this request.
    static func attach(to response: Response, for request: Request) {
        guard let token = request.storage[Pending.self] else { return }
        let secure = request.storeIdP.settings.usesHTTPS
        response.cookies[cookieName(secure: secure)] = HTTPCookies.Value(
            string: token, expires: nil, maxAge: nil, domain: nil, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    /// True when `submitted` equals the browser's token cookie.
    static func accepts(_ submitted: String?, from request: Request) -> Bool {
        let name = cookieName(secure: request.storeIdP.settings.usesHTTPS)
        guard let submitted, let expected = request.cookies[name]?.string, isWellFormed(expected) else { return false }
        return ConstantTime.equals(Array(submitted.utf8), Array(expected.utf8))
    }

    private static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43 && token.utf8.allSatisfy { $0.isBase64URL }
    }

    private struct Pending: StorageKey { typealias Value = String }
}

/// Sets the CSRF cookie of a token that was made while handling the request.
struct CSRFCookieMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        CSRFToken.attach(to: response, for: request)
        return response
    }
}

private extension UInt8 {
    var isBase64URL: Bool {
        (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) || (0x30...0x39).contains(self) || self == 0x2D || self == 0x5F
    }
}
