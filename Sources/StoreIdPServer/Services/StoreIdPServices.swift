import Fluent
import Foundation
import JWTSSO
import SignOn
import StoreIdPCore
import Vapor

/// The services one StoreIdP application shares, kept in the application's storage.
public struct StoreIdPServices: Sendable {
    public let settings: StoreIdPSettings
    public let timeSource: any TimeSource
    /// The key ring in the database, read into memory (`DatabaseKeyRing`).
    let keyRing: DatabaseKeyRing
    let hasher: any CustomerPasswordHasher
    let saml: SAMLIdentity
    let jwtKeys: SigningKeyCache
    let launchVerifiers: StorefrontVerifierCache
    /// Verifies tokens this IdP signed (access tokens at userinfo, ID token hints).
    let ownTokens: OwnTokenVerifier
    /// Sign-in audit rows waiting to be written together (nil: each is written on its request).
    let auditBuffer: AuditBuffer?
    /// Where `*_env` secrets of providers are resolved.
    let environment: [String: String]

    struct Key: StorageKey { typealias Value = StoreIdPServices }
}

extension Application {
    public var storeIdP: StoreIdPServices {
        guard let services = storage[StoreIdPServices.Key.self] else {
            fatalError("configure(_:settings:) has not run")
        }
        return services
    }
}

extension Request {
    var storeIdP: StoreIdPServices { application.storeIdP }
    var now: Date { application.storeIdP.timeSource.now }

    var customers: CustomerDirectory {
        CustomerDirectory(database: db, hasher: storeIdP.hasher, threadPool: application.threadPool)
    }

    var loginThrottle: LoginThrottle {
        LoginThrottle(database: db, policy: storeIdP.settings.loginThrottle)
    }

    /// Audit rows of this request, through the application's batch when it has one.
    var auditLog: AuditLog { AuditLog(database: db, buffer: storeIdP.auditBuffer) }

    /// The sign-in flows' view of this request: the database-backed stores, the clock, the keys.
    var signOnContext: SignOnContext {
        let services = storeIdP
        return SignOnContext(
            providers: ProviderDirectory(database: db), customers: customers, replay: ReplayCache(database: db), audit: auditLog,
            keys: services.keyRing, clock: services.timeSource, saml: services.saml, jwtKeys: services.jwtKeys,
            bigCommerce: BigCommerceCustomers(client: client, environment: services.environment), bigCommerceLinks: BigCommerceLinkStore(database: db),
            launchVerifiers: DatabaseLaunchTokenVerifiers(database: db, services: services), storefrontLinks: StorefrontLinks(database: db), oidcGrants: OIDCGrantDirectory(database: db),
            ownTokens: services.ownTokens, issuer: services.settings.issuer, sessionLifetime: services.settings.sessionLifetime,
            environment: services.environment, clientAddress: clientAddress)
    }

    /// The client's address: the TCP peer, or, when the peer is a trusted reverse proxy, the
    /// nearest address in `X-Forwarded-For` that is not itself a trusted proxy (a client can put
    /// anything at the left of that header, so it is read from the right).
    var clientAddress: String {
        ClientAddress.resolve(peer: remoteAddress?.ipAddress ?? "unknown", forwardedFor: headers[.xForwardedFor],
                              trustedProxies: storeIdP.settings.trustedProxies)
    }
}

enum ClientAddress {
    static func resolve(peer: String, forwardedFor: [String], trustedProxies: Set<String>) -> String {
        guard trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
        return hops.last { !trustedProxies.contains($0) }.map { String($0.prefix(64)) } ?? peer
    }
}
