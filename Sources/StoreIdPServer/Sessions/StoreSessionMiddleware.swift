import Foundation
import SignOn
import StoreIdPCore
import Vapor

/// Loads the store session from its cookie before the request and stores it after the response.
///
/// - No row exists before there is something to keep (a login, a request waiting for one): an
///   anonymous visit to `/login` writes nothing (the CSRF token lives in its own cookie).
/// - A row is written only when the session changed, so a signed-in click costs one read.
/// - A new login gets a new id, and the old row is deleted (session fixation: OWASP Session
///   Management Cheat Sheet, "Renew the Session ID After Any Privilege Level Change").
/// - An empty session deletes its row and expires the cookie.
/// - Rows carry `expires_at` (now + the session lifetime, renewed on each write) and are purged.
///
/// The cookie is `HttpOnly`, `Secure` when the public URL is https. SameSite is `None` over https:
/// SP-initiated SAML with the HTTP-POST binding (saml-bindings §3.5) arrives as a cross-site
/// top-level POST from the partner's page, and browsers withhold `Lax` and `Strict` cookies from
/// such a request, so the customer would look signed out. Cross-site requests cannot act with the
/// cookie anyway: every state-changing form needs the CSRF token. Browsers refuse
/// `SameSite=None` without `Secure`, so over plain http (local development) it is `Lax`.
struct StoreSessionMiddleware: AsyncMiddleware {
    static let cookieName = "storeidp_session"
    let secure: Bool
    let lifetime: TimeInterval

    /// Routes that never use the store session: health, metrics, keys, discovery, the token and
    /// userinfo endpoints and the admin API. Their requests read no session row, so `/healthz`
    /// answers while the database is down even when the browser sends its session cookie.
    static func isSessionless(_ path: String) -> Bool {
        if ["/healthz", "/readyz", "/metrics", "/oidc/token", "/oidc/userinfo"].contains(path) { return true }
        if path.hasPrefix("/.well-known/") || path.hasPrefix("/admin/api/") { return true }
        guard path.hasPrefix("/b2c/") else { return false }
        return path.hasSuffix("/oauth2/v2.0/token") || path.hasSuffix("/openid/v2.0/userinfo") || path.contains("/discovery/")
            || path.hasSuffix("/openid-configuration")
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if Self.isSessionless(request.url.path) { return try await next.respond(to: request) }
        let table = try StoreSessionTable(sql: request.sqlDatabase)
        let now = request.now
        var loadedID: String?
        var state = SignOnSession()
        if let id = request.cookies[Self.cookieName]?.string, !id.isEmpty, id.utf8.count <= 128,
           let data = try await table.read(id: id, now: now) {
            loadedID = id
            // A row that no longer decodes (written by another version) is an expired session.
            state = (try? JSONDecoder().decode(SignOnSession.self, from: Data(data.utf8))) ?? SignOnSession()
        }
        let session = StoreSession(id: loadedID, state: state)
        request.storage[StoreSession.Key.self] = session
        let response = try await next.respond(to: request)
        try await persist(session, table: table, request: request, response: response)
        return response
    }

    private func persist(_ session: StoreSession, table: StoreSessionTable, request: Request, response: Response) async throws {
        let state = session.state
        let hadCookie = request.cookies[Self.cookieName] != nil
        if state.isEmpty {
            if let id = session.loadedID { try await table.delete(id: id) }
            if hadCookie { response.cookies[Self.cookieName] = .expired }
            return
        }
        guard state != session.loaded || session.loadedID == nil else { return }
        let data = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        let expires = request.now.addingTimeInterval(lifetime)
        if let id = session.loadedID, state.login == session.loaded.login {
            try await table.update(id: id, data: data, expires: expires)
            return
        }
        if let old = session.loadedID { try await table.delete(id: old) }
        let id = IdentifierGenerator.secret()
        try await table.insert(id: id, data: data, expires: expires)
        response.cookies[Self.cookieName] = HTTPCookies.Value(
            string: id, expires: nil, maxAge: nil, domain: nil, path: "/", isSecure: secure, isHTTPOnly: true,
            sameSite: secure ? HTTPCookies.SameSitePolicy.none : .lax)
    }
}
