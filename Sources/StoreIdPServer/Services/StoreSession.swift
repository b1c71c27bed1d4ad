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
        static let sessionIndex = "session_index"
        static let method = "auth_method"
        static let participants = "saml_participants"
        static let pendingAuthnRequest = "pending_authn"
        static let logoutChain = "logout_chain"
    }

    /// Fields that survive the session-id renewal of a login: a request the customer is signing
    /// in to answer.
    private static let carriedOverLogin = [Field.pendingAuthnRequest]

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
    /// How the customer proved who they are in this session.
    enum Method: String {
        /// The store password, entered on our login form.
        case password
        /// A storefront's signed launch token: the store authenticated them.
        case storefrontLaunch = "launch"
    }

    var method: Method {
        guard request.hasSession else { return .password }
        return request.session.data[Field.method].flatMap(Method.init(rawValue:)) ?? .password
    }

    func signIn(_ customer: Customer, method: Method = .password) async throws {
        if let old = request.session.id {
            try await request.application.sessions.driver.deleteSession(old, for: request).get()
            request.session.id = nil
        }
        let carried = Self.carriedOverLogin.compactMap { key in request.session.data[key].map { (key, $0) } }
        request.session.data = SessionData()
        for (key, value) in carried { request.session.data[key] = value }
        request.session.data[Field.customerID] = customer.id.uuidString
        request.session.data[Field.sessionIndex] = IdentifierGenerator.samlID()
        request.session.data[Field.method] = method.rawValue
        request.session.data[Field.authTime] = String(request.now.timeIntervalSince1970)
        request.session.data[Field.csrf] = IdentifierGenerator.secret()
    }

    /// The SAML SessionIndex of this login (saml-core §2.7.2), shared by every assertion issued
    /// in it so that single logout can name it.
    var sessionIndex: String? {
        guard request.hasSession else { return nil }
        return request.session.data[Field.sessionIndex]
    }

    /// The SAML service providers this login has sent assertions to, for single logout.
    var participants: [SessionParticipant] {
        get { decode([SessionParticipant].self, Field.participants) ?? [] }
        nonmutating set { encode(newValue, Field.participants) }
    }

    func addParticipant(_ participant: SessionParticipant) {
        var list = participants.filter { $0.slug != participant.slug }
        list.append(participant)
        participants = Array(list.suffix(50))
    }

    /// An SP-initiated request waiting for the customer to sign in.
    var pendingAuthnRequest: PendingAuthnRequest? {
        get { decode(PendingAuthnRequest.self, Field.pendingAuthnRequest) }
        nonmutating set { encode(newValue, Field.pendingAuthnRequest) }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ key: String) -> T? {
        guard request.hasSession, let text = request.session.data[key] else { return nil }
        return try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    private func encode<T: Encodable>(_ value: T?, _ key: String) {
        guard let value else {
            if request.hasSession { request.session.data[key] = nil }
            return
        }
        request.session.data[key] = (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    func signOut() {
        request.session.destroy()
    }

    /// Ends the login but keeps the session for the single-logout round trips that follow
    /// (saml-profiles §4.4.3.4: the IdP sends a LogoutRequest to each other session participant).
    func endLogin(continuingWith chain: LogoutChain) {
        request.session.data = SessionData()
        request.session.data[Field.csrf] = IdentifierGenerator.secret()
        logoutChain = chain
    }

    /// Single logout in progress: the request waiting for an answer and the partners still to tell.
    var logoutChain: LogoutChain? {
        get { decode(LogoutChain.self, Field.logoutChain) }
        nonmutating set { encode(newValue, Field.logoutChain) }
    }
}

/// A service provider that received an assertion in this session: what its LogoutRequest needs.
struct SessionParticipant: Codable, Equatable {
    let slug: String
    let nameID: String
    let nameIDFormat: String
    let sessionIndex: String
}

/// The partners a single logout still has to reach, and the LogoutRequest now waiting for its answer.
struct LogoutChain: Codable, Equatable {
    var waitingFor: String?
    var remaining: [SessionParticipant]
}

/// A validated AuthnRequest kept across the login it waits for.
struct PendingAuthnRequest: Codable, Equatable {
    let slug: String
    let requestID: String
    let acsURL: String
    let relayState: String?
    let forceAuthn: Bool
    let receivedAt: Date
    let authnContextClassRef: String
}

extension Request {
    var storeSession: StoreSession { StoreSession(request: self) }
}
