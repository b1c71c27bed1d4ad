import Foundation
import SAML
@testable import SignOn
import StoreIdPCore

/// The stores behind `SignOnContext`, in memory: what a flow test reads back after a flow ran.
final class InMemoryStores: @unchecked Sendable {
    private let lock = NSLock()
    private var _providers: [ServiceProvider] = []
    private var _customers: [UUID: Customer] = [:]
    private var _claimed: Set<String> = []
    private var _events: [AuditEvent] = []
    private var _links: [String: Int] = [:]
    private var _storefrontLinks: [StorefrontLink] = []
    var storefrontLinks: [StorefrontLink] { lock.withLock { _storefrontLinks } }
    var bigCommerceCalls: [String] { lock.withLock { _bigCommerceCalls } }
    private var _bigCommerceCalls: [String] = []
    private var _grants: [String: OIDCGrant] = [:]
    private var _lookups: [String: Int] = [:]
    /// How many times each lookup ran ("provider(slug:)", "customer(id:)").
    var lookups: [String: Int] { lock.withLock { _lookups } }
    fileprivate func looked(_ name: String) { lock.withLock { _lookups[name, default: 0] += 1 } }
    private var _codes: [String: (String, Date?)] = [:]
    private var _refresh: [String: (String, Date?)] = [:]
    var grants: [OIDCGrant] { lock.withLock { Array(_grants.values) } }

    var providers: [ServiceProvider] {
        get { lock.withLock { _providers } }
        set { lock.withLock { _providers = newValue } }
    }
    var events: [AuditEvent] { lock.withLock { _events } }
    var claimed: Set<String> { lock.withLock { _claimed } }

    func add(_ customer: Customer) { lock.withLock { _customers[customer.id] = customer } }
    func customer(email: String) -> Customer? { lock.withLock { _customers.values.first { $0.email.value.lowercased() == email.lowercased() } } }

    fileprivate func withLock<T>(_ body: (InMemoryStores) -> T) -> T { lock.withLock { body(self) } }

    struct Catalog: ServiceProviderCatalog {
        let stores: InMemoryStores
        func provider(slug: String) async throws -> ServiceProvider? {
            stores.looked("provider(slug:)")
            return stores.providers.first { $0.slug == slug }
        }
        func provider(entityID: String) async throws -> ServiceProvider? { stores.providers.first { $0.saml?.entityID == entityID } }
        func provider(oidcClientID: String) async throws -> ServiceProvider? { stores.providers.first { $0.oidc?.clientID == oidcClientID } }
    }

    /// Grants by id; codes and refresh tokens by digest, with the time each was used.
    struct Grants: OIDCGrantStore {
        let stores: InMemoryStores
        func create(_ grant: OIDCGrant, codeDigest: String) async throws {
            stores.lock.withLock {
                stores._grants[grant.id] = grant
                stores._codes[codeDigest] = (grant.id, nil)
            }
        }
        func redeem(codeDigest: String, clientID: String, now: Date) async throws -> OIDCRedemption {
            stores.lock.withLock {
                guard let (id, used) = stores._codes[codeDigest], let grant = stores._grants[id], grant.clientID == clientID else { return .unknown }
                if used != nil { return .reused(grantID: id) }
                stores._codes[codeDigest] = (id, now)
                return .redeemed(grant)
            }
        }
        func grant(id: String) async throws -> OIDCGrant? { stores.lock.withLock { stores._grants[id] } }
        func revoke(grantID: String, now: Date) async throws {
            stores.lock.withLock {
                stores._grants[grantID]?.revoked = true
                for (digest, entry) in stores._refresh where entry.0 == grantID && entry.1 == nil { stores._refresh[digest] = (grantID, now) }
            }
        }
        func addRefreshToken(digest: String, grantID: String, expiresAt: Date) async throws {
            stores.lock.withLock { stores._refresh[digest] = (grantID, nil) }
        }
        func rotate(refreshDigest: String, clientID: String, now: Date) async throws -> OIDCRedemption {
            stores.lock.withLock {
                guard let (id, used) = stores._refresh[refreshDigest], let grant = stores._grants[id], grant.clientID == clientID else { return .unknown }
                if used != nil { return .reused(grantID: id) }
                stores._refresh[refreshDigest] = (id, now)
                return .redeemed(grant)
            }
        }
    }

    struct Accounts: CustomerAccounts {
        let stores: InMemoryStores
        func customer(id: UUID) async throws -> Customer? {
            stores.looked("customer(id:)")
            return stores.lock.withLock { stores._customers[id] }
        }
        func customer(email: String) async throws -> Customer? { stores.customer(email: email) }
        func save(_ profile: CustomerProfile, now: Date) async throws -> (Customer, CustomerSaveOutcome) {
            let email = try profile.validate()
            if var existing = stores.customer(email: email.value) {
                let changed = profile.apply(to: &existing, passwordHash: nil, now: now)
                stores.add(existing)
                return (existing, changed ? .updated : .unchanged)
            }
            let customer = profile.makeCustomer(email: email, passwordHash: nil, now: now)
            stores.add(customer)
            return (customer, .created)
        }
    }

    struct Replay: ReplayGuard {
        let stores: InMemoryStores
        func claim(_ value: String, namespace: String, until: Date, now: Date) async throws -> Bool {
            stores.lock.withLock { stores._claimed.insert(namespace + ":" + value).inserted }
        }
    }

    struct Audit: AuditTrail {
        let stores: InMemoryStores
        func record(_ event: AuditEvent) async throws { stores.lock.withLock { stores._events.append(event) } }
    }

    /// A BigCommerce store that knows no customer and creates each with the next id.
    struct BigCommerce: BigCommerceCustomerAPI {
        let stores: InMemoryStores
        func customerID(email: String, settings: ServiceProvider.BigCommerceSettings) async throws(BigCommerceAPIFailure) -> Int? {
            stores.lock.withLock { stores._bigCommerceCalls.append("find \(email)") }
            return nil
        }
        func createCustomer(email: String, payload: ProvisioningPayload, settings: ServiceProvider.BigCommerceSettings) async throws(BigCommerceAPIFailure) -> Int {
            stores.lock.withLock { stores._bigCommerceCalls.append("create \(email)"); return 100 + stores._bigCommerceCalls.count }
        }
    }

    struct Links: BigCommerceCustomerLinks {
        let stores: InMemoryStores
        func bigCommerceID(storeHash: String, customerID: UUID) async throws -> Int? {
            stores.lock.withLock { stores._links[storeHash + customerID.uuidString] }
        }
        func remember(storeHash: String, customerID: UUID, bigCommerceID: Int, now: Date) async throws {
            stores.lock.withLock { stores._links[storeHash + customerID.uuidString] = bigCommerceID }
        }
    }

    struct StorefrontLinks: StorefrontLinkRegistry {
        let stores: InMemoryStores
        func link(issuer: String, subject: String) async throws -> StorefrontLink? {
            stores.storefrontLinks.first { $0.issuer == issuer && $0.subject == subject }
        }
        func links(customerID: UUID) async throws -> [StorefrontLink] { stores.storefrontLinks.filter { $0.customerID == customerID } }
        func bind(issuer: String, subject: String, customerID: UUID, now: Date) async throws -> Bool {
            stores.lock.withLock {
                if stores._storefrontLinks.contains(where: { $0.issuer == issuer && ($0.subject == subject || $0.customerID == customerID) }) {
                    return stores._storefrontLinks.contains { $0.issuer == issuer && $0.subject == subject && $0.customerID == customerID }
                }
                stores._storefrontLinks.append(StorefrontLink(issuer: issuer, subject: subject, customerID: customerID))
                return true
            }
        }
    }
}
