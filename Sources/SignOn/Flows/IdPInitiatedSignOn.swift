import Foundation
import SAML
import StoreIdPCore

/// `GET /sso/{slug}`: IdP-initiated SSO. The signed-in customer (or, after a login, the customer
/// who just signed in) is sent to the partner in whatever form it speaks: a SAML Response to its
/// default ACS (saml-profiles §4.1.5, unsolicited: no InResponseTo), a JWT on its login URL, or a
/// BigCommerce Customer Login token.
///
/// ```swift
/// let outcome = try await IdPInitiatedSignOn(context: context)
///     .start(.init(slug: "warranty", relayState: nil, returnPath: "/sso/warranty"), session: &session)
/// ```
public struct IdPInitiatedSignOn: Sendable {
    public struct Input: Sendable {
        public var slug: String
        /// The RelayState to echo to a SAML partner (saml-bindings §3.4.3).
        public var relayState: String?
        /// BigCommerce `redirect_to`: a path on the store.
        public var bigCommerceRedirect: String?
        /// Where the login form comes back to (this request's own path and query).
        public var returnPath: String

        public init(slug: String, relayState: String? = nil, bigCommerceRedirect: String? = nil, returnPath: String) {
            self.slug = slug
            self.relayState = relayState
            self.bigCommerceRedirect = bigCommerceRedirect
            self.returnPath = returnPath
        }
    }

    public let context: SignOnContext

    public init(context: SignOnContext) { self.context = context }

    public func start(_ input: Input, session: inout SignOnSession) async throws -> SignOnOutcome {
        guard let provider = try await context.providers.provider(slug: input.slug) else { throw SignOnError.unknownProvider() }
        guard let (login, customer) = try await context.signedInCustomer(session) else {
            return .login(returnTo: input.returnPath, reauthenticate: false)
        }
        return try await send(customer, login: login, to: provider, relayState: input.relayState,
                              bigCommerceRedirect: input.bigCommerceRedirect, session: &session)
    }

    /// Sends `customer`, signed in by `login`, to `provider` in its protocol, after the access
    /// policy. `StorefrontLaunch` calls it with the customer and provider it has just read.
    func send(_ customer: Customer, login: SignOnSession.Login, to provider: ServiceProvider, relayState: String?,
              bigCommerceRedirect: String?, session: inout SignOnSession) async throws -> SignOnOutcome {
        try context.checkAccess(customer, provider)
        switch provider.settings {
        case let .saml(settings):
            let relayState = try UnsolicitedRelayState.check(relayState, for: provider, settings: settings)
            guard let acs = settings.defaultAssertionConsumerService else { throw SignOnError.partnerUnavailable(provider) }
            // The context class states how this session authenticated: a password here, or a
            // storefront's launch token (saml-authn-context-2.0-os §3.4.25 unspecified).
            return try await SAMLAnswer(context: context).assertion(
                for: customer, login: login, provider: provider, settings: settings, acsURL: acs.url, inResponseTo: nil,
                relayState: relayState, authnContextClassRef: login.method.authnContextClassRef, session: &session)
        case let .jwt(settings):
            return try await JWTSignOn(context: context).send(customer, login: login, provider: provider, settings: settings)
        case let .bigcommerce(settings):
            return try await BigCommerceSignOn(context: context).send(customer, provider: provider, settings: settings,
                                                                      redirectTo: bigCommerceRedirect)
        case .oidc:
            // An OpenID client starts the sign-in itself (OpenID Connect Core 1.0 §3.1.2.1); there
            // is no unsolicited ID token to send it.
            throw SignOnError(.badRequest, "\(provider.name) signs you in from its own site: please start there.",
                              returnURL: provider.storefrontReturnURL)
        }
    }
}

/// RelayState of an unsolicited response. At most 80 bytes (saml-bindings §3.4.3). Partners
/// commonly redirect to it after login, so an arbitrary value would make StoreIdP an open
/// redirector through them: only a relative reference (RFC 3986 §4.2: no scheme, no authority,
/// which resolves on the partner's own site; an opaque token such as `rs-1` is one) or an absolute
/// http(s) URL whose origin is one of the partner's registered ACS origins is forwarded.
public enum UnsolicitedRelayState {
    public static func check(_ relayState: String?, for provider: ServiceProvider, settings: ServiceProvider.SAMLSettings) throws(SignOnError) -> String? {
        guard let relayState, !relayState.isEmpty else { return nil }
        guard relayState.utf8.count <= SAMLRelayState.maximumBytes else {
            throw SignOnError(.badRequest, "The RelayState is longer than \(SAMLRelayState.maximumBytes) bytes (saml-bindings §3.4.3).",
                              returnURL: provider.storefrontReturnURL)
        }
        // Control characters and spaces: browsers strip or fold them while parsing a URL, which
        // turns " //host" into a reference to another host.
        guard !relayState.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else {
            throw SignOnError(.badRequest, "The RelayState contains spaces or control characters.", returnURL: provider.storefrontReturnURL)
        }
        if let origin = Origin(relayState) {
            guard settings.assertionConsumerServices.contains(where: { Origin($0.url) == origin }) else { throw refused(provider) }
            return relayState
        }
        // A scheme is the text before the first ":" that comes before any "/", "?" or "#"
        // (RFC 3986 §3.1, §4.2); "//" starts an authority; browsers read "\" as "/".
        let beforePath = relayState.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !beforePath.contains(":"), !relayState.hasPrefix("//"), !relayState.contains("\\") else { throw refused(provider) }
        return relayState
    }

    private static func refused(_ provider: ServiceProvider) -> SignOnError {
        SignOnError(.badRequest, "The RelayState must be a path or an address at \(provider.name)'s registered site.",
                    returnURL: provider.storefrontReturnURL)
    }

    /// scheme://host:port of an absolute http(s) URL, lower-cased.
    struct Origin: Equatable {
        let scheme: String, host: String, port: Int

        init?(_ text: String) {
            guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
                  scheme == "https" || scheme == "http", let host = components.host?.lowercased(), !host.isEmpty,
                  components.user == nil, components.password == nil else { return nil }
            self.scheme = scheme
            self.host = host
            self.port = components.port ?? (scheme == "https" ? 443 : 80)
        }
    }
}
