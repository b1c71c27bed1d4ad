import Fluent
import Foundation
import StoreIdPCore
import JWTSSO
import Vapor

/// The services one StoreIdP application shares, kept in the application's storage.
public struct StoreIdPServices: Sendable {
    public let settings: StoreIdPSettings
    public let timeSource: any TimeSource
    public let keyRing: KeyRingStore
    let hasher: any CustomerPasswordHasher
    let saml: SAMLIdentity
    let jwtKeys: SigningKeyCache

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

    /// The client's address as the TCP peer reports it.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
