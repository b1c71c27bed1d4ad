import Foundation
import JWTSSO
import StoreIdPCore

/// Everything a flow reads or writes outside itself: the stores behind small protocols, the
/// clock, the random source, and this IdP's identity. The server builds one per request over its
/// database; tests build one over in-memory stores and a fixed clock.
public struct SignOnContext: Sendable {
    public var providers: any ServiceProviderCatalog
    public var customers: any CustomerAccounts
    public var replay: any ReplayGuard
    public var audit: any AuditTrail
    public var keys: any KeyRingSource
    public var clock: any TimeSource
    public var random: any RandomSource
    public var saml: SAMLIdentity
    public var jwtKeys: SigningKeyCache
    public var bigCommerce: any BigCommerceCustomerAPI
    public var bigCommerceLinks: any BigCommerceCustomerLinks
    public var launchVerifiers: any LaunchTokenVerifiers
    public var storefrontLinks: any StorefrontLinkRegistry
    /// OpenID Connect codes, grants and refresh tokens.
    public var oidcGrants: any OIDCGrantStore
    /// Checks tokens StoreIdP signed (access tokens, ID token hints).
    public var ownTokens: OwnTokenVerifier
    /// The IdP's issuer (its base URL, without a trailing slash).
    public var issuer: String
    /// How long a store login lasts.
    public var sessionLifetime: TimeInterval
    /// Where `*_env` secrets are resolved.
    public var environment: [String: String]
    /// The browser's address, for the audit trail.
    public var clientAddress: String?

    public init(providers: any ServiceProviderCatalog, customers: any CustomerAccounts, replay: any ReplayGuard, audit: any AuditTrail,
                keys: any KeyRingSource, clock: any TimeSource, random: any RandomSource = SystemRandomSource(), saml: SAMLIdentity,
                jwtKeys: SigningKeyCache, bigCommerce: any BigCommerceCustomerAPI, bigCommerceLinks: any BigCommerceCustomerLinks,
                launchVerifiers: any LaunchTokenVerifiers, storefrontLinks: any StorefrontLinkRegistry, oidcGrants: any OIDCGrantStore,
                ownTokens: OwnTokenVerifier = OwnTokenVerifier(), issuer: String, sessionLifetime: TimeInterval,
                environment: [String: String] = ProcessInfo.processInfo.environment, clientAddress: String? = nil) {
        self.providers = providers
        self.customers = customers
        self.replay = replay
        self.audit = audit
        self.keys = keys
        self.clock = clock
        self.random = random
        self.saml = saml
        self.jwtKeys = jwtKeys
        self.bigCommerce = bigCommerce
        self.bigCommerceLinks = bigCommerceLinks
        self.launchVerifiers = launchVerifiers
        self.storefrontLinks = storefrontLinks
        self.oidcGrants = oidcGrants
        self.ownTokens = ownTokens
        self.issuer = issuer
        self.sessionLifetime = sessionLifetime
        self.environment = environment
        self.clientAddress = clientAddress
    }

    var now: Date { clock.now }

    var payloads: PayloadFactory { PayloadFactory(keys: keys, random: random) }

    /// What `customer` sends `provider` now; a 403 naming the missing value when the mapping
    /// requires one the customer lacks.
    func payload(for customer: Customer, provider: ServiceProvider, authTime: Date?) throws -> ProvisioningPayload {
        do {
            return try payloads.payload(customer: customer, provider: provider, now: now, authTime: authTime)
        } catch let missing as ProvisioningPayload.MissingRequiredValue {
            throw SignOnError.payloadIncomplete(provider, missing)
        }
    }

    /// The signed-in, still active customer of `session`.
    public func signedInCustomer(_ session: SignOnSession) async throws -> (SignOnSession.Login, Customer)? {
        guard let login = session.currentLogin(now: now, lifetime: sessionLifetime),
              let customer = try await customers.customer(id: login.customerID), customer.isActive else { return nil }
        return (login, customer)
    }

    func record(_ kind: AuditEvent.Kind, provider: String? = nil, customer: UUID? = nil, subject: String? = nil, detail: String? = nil) async throws {
        try await audit.record(AuditEvent(kind, at: now, serviceProvider: provider, customerID: customer, subjectID: subject,
                                          clientAddress: clientAddress, detail: detail))
    }

    /// A 403 unless the access policy lets the customer use the provider.
    func checkAccess(_ customer: Customer, _ provider: ServiceProvider) throws(SignOnError) {
        guard provider.access.decision(for: customer).allowed else { throw .accessDenied(provider) }
    }
}
