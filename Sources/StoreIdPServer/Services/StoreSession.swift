import Foundation
import StoreIdPCore
import Vapor

/// What a store login keeps in the session (stored in the database by Fluent's session driver,
/// so every node sees it).
struct StoreSession {
    private enum Field {
        static let customerID = "customer_id"
        static let authTime = "auth_time"
        static let csrf = "csrf"
    }

    let request: Request

    /// The signed-in customer's id, when the login is younger than the session lifetime.
    var customerID: UUID? {
        guard request.hasSession, let id = request.session.data[Field.customerID].flatMap(UUID.init(uuidString:)),
              let authTime = self.authTime,
              request.now.timeIntervalSince(authTime) < request.storeIdP.settings.sessionLifetime
        else { return nil }
        return id
    }

    /// When the customer last entered their password (OIDC `auth_time`, SAML AuthnInstant).
    var authTime: Date? {
        guard request.hasSession else { return nil }
        return request.session.data[Field.authTime].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
    }

    /// The signed-in, still active customer.
    func customer() async throws -> Customer? {
        guard let id = customerID, let customer = try await request.customers.find(id: id), customer.isActive else { return nil }
        return customer
    }

    /// The session's CSRF token, created on first use.
    var csrfToken: String {
        if let token = request.session.data[Field.csrf] { return token }
        let token = IdentifierGenerator.secret()
        request.session.data[Field.csrf] = token
        return token
    }

    /// True when `submitted` is this session's token (compared in constant time).
    func acceptsCSRFToken(_ submitted: String?) -> Bool {
        guard let submitted, request.hasSession, let expected = request.session.data[Field.csrf] else { return false }
        return ConstantTime.equals(Array(submitted.utf8), Array(expected.utf8))
    }

    /// Starts a login under a new session id, so an id planted before login is worthless
    /// (session fixation, OWASP Session Management Cheat Sheet "Renew the Session ID").
    func signIn(_ customer: Customer) async throws {
        if let old = request.session.id {
            try await request.application.sessions.driver.deleteSession(old, for: request).get()
            request.session.id = nil
        }
        request.session.data = SessionData()
        request.session.data[Field.customerID] = customer.id.uuidString
        request.session.data[Field.authTime] = String(request.now.timeIntervalSince1970)
        request.session.data[Field.csrf] = IdentifierGenerator.secret()
    }

    func signOut() {
        request.session.destroy()
    }
}

extension Request {
    var storeSession: StoreSession { StoreSession(request: self) }
}
