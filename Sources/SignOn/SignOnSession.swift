import Foundation
import SAML
import StoreIdPCore

/// What one browser's session holds for the sign-in flows. A value: the server loads it from its
/// session store, a flow changes it, the server stores it back (and renews the session id when
/// `login` changed, so an id planted before a login is worthless: OWASP Session Management Cheat
/// Sheet, "Renew the Session ID After Any Privilege Level Change").
public struct SignOnSession: Sendable, Equatable, Codable {
    /// Who is signed in, since when, and how they proved it.
    public struct Login: Sendable, Equatable, Codable {
        public var customerID: UUID
        /// When the customer authenticated (SAML AuthnInstant, OIDC `auth_time`).
        public var authTime: Date
        public var method: AuthenticationMethod
        /// The SAML SessionIndex of this login (saml-core §2.7.2), shared by every assertion
        /// issued in it so that single logout can name it.
        public var sessionIndex: String

        public init(customerID: UUID, authTime: Date, method: AuthenticationMethod, sessionIndex: String) {
            self.customerID = customerID
            self.authTime = authTime
            self.method = method
            self.sessionIndex = sessionIndex
        }
    }

    public var login: Login?
    /// The SAML service providers this login has sent assertions to, for single logout.
    public var participants: [SessionParticipant]
    /// An SP-initiated request waiting for the customer to sign in.
    public var pendingAuthnRequest: PendingAuthnRequest?
    /// An OpenID Connect authorization request waiting for the customer to sign in.
    public var pendingAuthorization: PendingAuthorization?
    /// Single logout in progress.
    public var logoutChain: LogoutChain?

    public init(login: Login? = nil, participants: [SessionParticipant] = [], pendingAuthnRequest: PendingAuthnRequest? = nil,
                pendingAuthorization: PendingAuthorization? = nil, logoutChain: LogoutChain? = nil) {
        self.login = login
        self.participants = participants
        self.pendingAuthnRequest = pendingAuthnRequest
        self.pendingAuthorization = pendingAuthorization
        self.logoutChain = logoutChain
    }

    /// True when nothing is kept: the server then needs no session row at all.
    public var isEmpty: Bool {
        login == nil && participants.isEmpty && pendingAuthnRequest == nil && pendingAuthorization == nil && logoutChain == nil
    }

    /// The login, when it is younger than `lifetime`.
    public func currentLogin(now: Date, lifetime: TimeInterval) -> Login? {
        guard let login, now.timeIntervalSince(login.authTime) < lifetime, login.authTime <= now.addingTimeInterval(60) else { return nil }
        return login
    }

    /// Starts a login: a fresh SessionIndex, no participants of an earlier login; a request the
    /// customer is signing in to answer is kept.
    @discardableResult
    public mutating func signIn(_ customer: Customer, method: AuthenticationMethod, at now: Date, sessionIndex: String) -> Login {
        let login = Login(customerID: customer.id, authTime: now, method: method, sessionIndex: sessionIndex)
        self = SignOnSession(login: login, pendingAuthnRequest: pendingAuthnRequest, pendingAuthorization: pendingAuthorization)
        return login
    }

    /// Records that `participant` received an assertion (one entry per provider, newest last).
    public mutating func addParticipant(_ participant: SessionParticipant) {
        participants.removeAll { $0.slug == participant.slug }
        participants.append(participant)
        if participants.count > 50 { participants.removeFirst(participants.count - 50) }
    }
}

/// How the customer proved who they are in this session.
public enum AuthenticationMethod: String, Sendable, Equatable, Codable {
    /// The store password, entered on our login form.
    case password
    /// A storefront's signed launch token: the store authenticated them, not us.
    case storefrontLaunch = "launch"

    /// The AuthnContextClassRef that states this method truthfully (saml-authn-context-2.0-os
    /// §3.4.7 PasswordProtectedTransport; §3.4.25 unspecified: "authentication was performed by
    /// unspecified means").
    public var authnContextClassRef: String {
        switch self {
        case .password: return SAMLAuthnContextClass.passwordProtectedTransport
        case .storefrontLaunch: return SAMLAuthnContextClass.unspecified
        }
    }
}

/// A service provider that received an assertion in this session: what its LogoutRequest needs,
/// the NameID exactly as the assertion carried it (saml-profiles §4.4.4.1).
public struct SessionParticipant: Sendable, Equatable, Codable {
    public let slug: String
    public let nameID: SAMLNameID
    public let sessionIndex: String

    public init(slug: String, nameID: SAMLNameID, sessionIndex: String) {
        self.slug = slug
        self.nameID = nameID
        self.sessionIndex = sessionIndex
    }
}

/// A validated AuthnRequest kept, as the typed value, across the login it waits for.
public struct PendingAuthnRequest: Sendable, Equatable, Codable {
    public let request: ValidatedAuthnRequest
    public let receivedAt: Date

    public init(request: ValidatedAuthnRequest, receivedAt: Date) {
        self.request = request
        self.receivedAt = receivedAt
    }
}

/// Single logout in progress (saml-profiles §4.4.3.4): the partners still to tell, the one whose
/// answer is awaited, the ones that did not confirm, and, when a partner started it, the
/// LogoutResponse it is owed at the end.
public struct LogoutChain: Sendable, Equatable, Codable {
    /// The LogoutRequest now waiting for its LogoutResponse.
    public struct Awaiting: Sendable, Equatable, Codable {
        public var slug: String
        public var requestID: String
    }

    /// The partner that started the logout, answered last (saml-profiles §4.4.3.5).
    public struct Initiator: Sendable, Equatable, Codable {
        public var slug: String
        public var requestID: String
        public var relayState: String?
        public var binding: SAMLBinding
    }

    public var awaiting: Awaiting?
    public var remaining: [SessionParticipant]
    /// Partners whose LogoutResponse was missing, failed or did not verify.
    public var unconfirmed: [String]
    public var initiator: Initiator?
    /// Where the browser goes when the chain ends and no partner is owed a LogoutResponse: an
    /// OpenID client's registered post-logout redirect URI (RP-Initiated Logout 1.0 §3).
    public var returnTo: String?

    public init(remaining: [SessionParticipant], initiator: Initiator? = nil, returnTo: String? = nil) {
        self.remaining = remaining
        self.unconfirmed = []
        self.initiator = initiator
        self.returnTo = returnTo
    }
}
