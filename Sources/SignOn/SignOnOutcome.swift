import Foundation

/// What a flow asks the browser to do next. The server renders it; it never decides anything.
public enum SignOnOutcome: Sendable, Equatable {
    /// An auto-submitting form to a registered endpoint (SAML HTTP-POST binding,
    /// saml-bindings §3.5.4; JWT form delivery).
    case post(AutoPost)
    /// A 303 redirect to a registered endpoint or a path of ours.
    case redirect(String)
    /// Show the login form, then come back to `returnTo` (a path of ours). `reauthenticate`: the
    /// password must be entered even by a signed-in customer (SAML ForceAuthn, saml-core §3.4.1).
    case login(returnTo: String, reauthenticate: Bool)
    /// A launch link arrived in a browser signed in as another customer: ask before switching.
    case confirmLaunch(LaunchConfirmation)
    /// Signed out (single logout finished, or nothing to tell): to the login page, with the
    /// partners that did not confirm, if any.
    case signedOut(unconfirmed: [String])
    /// An OpenID client asked to sign the customer out without proving which session it means
    /// (RP-Initiated Logout 1.0 §2: "the OP SHOULD ask the End-User whether to log out"): ask.
    case confirmLogout(LogoutConfirmation)
}

/// What the sign-out question reposts once the customer agrees.
public struct LogoutConfirmation: Sendable, Equatable {
    /// The client's name, when one is known.
    public let serviceName: String?
    /// The RP-Initiated Logout parameters to send again with the answer.
    public let fields: [AutoPost.Field]
    /// Where the form posts (the end-session endpoint of the layout the request came to).
    public let action: String

    public init(serviceName: String?, fields: [AutoPost.Field], action: String) {
        self.serviceName = serviceName
        self.fields = fields
        self.action = action
    }
}

/// A form that posts itself: where, which fields, and the words on the page.
public struct AutoPost: Sendable, Equatable {
    public struct Field: Sendable, Equatable, Encodable {
        public let name: String
        public let value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public let action: String
    public let fields: [Field]
    public let title: String
    public let message: String

    public init(action: String, fields: [Field], title: String = "Signing you in…", message: String) {
        self.action = action
        self.fields = fields
        self.title = title
        self.message = message
    }
}

/// The question a launch link asks a browser signed in as someone else (login CSRF: a link must
/// not silently replace the session of the person at the keyboard).
public struct LaunchConfirmation: Sendable, Equatable {
    public let slug: String
    public let serviceName: String
    public let token: String
    /// The signed-in customer's email, and the launch token's.
    public let signedInAs: String
    public let launchAs: String
}
