import StoreIdPCore

/// An AuthnRequest StoreIdP will not honour, and whether it may tell the
/// service provider so.
///
/// - `replyTo == nil`: the error was found before the ACS URL was trusted
///   (unknown issuer, bad signature, unregistered ACS, …). Show an error page;
///   never send anything to a URL from this request.
/// - `replyTo != nil`: the request is authentic and its ACS registered; answer
///   that ACS with an error Response carrying ``status`` (saml-core §3.2.2.2),
///   e.g. InvalidNameIDPolicy or NoAuthnContext.
public struct AuthnRequestRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where an error Response may be sent.
    public struct ReplyTo: Sendable, Equatable {
        public let serviceProvider: ServiceProvider
        public let acsURL: String
        public let requestID: String
        public let relayState: String?
    }

    public let error: SAMLRequestError
    public let replyTo: ReplyTo?

    public init(error: SAMLRequestError, replyTo: ReplyTo? = nil) {
        self.error = error
        self.replyTo = replyTo
    }

    /// True when the server must show an error page instead of answering the SP.
    public var showsErrorPage: Bool { replyTo == nil }

    /// The status for the error Response (meaningful when ``replyTo`` is set).
    public var status: SAMLStatus { error.samlStatus }

    public var description: String { error.description }
}
