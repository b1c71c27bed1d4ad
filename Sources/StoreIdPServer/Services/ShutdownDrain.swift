import Foundation
import Vapor

/// Whether this node received SIGTERM and is draining: it still serves, but `/readyz` answers
/// 503 so a load balancer sends it nothing new (see `StoreIdPSettings.shutdownDrain`).
enum ShutdownDrain {
    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var draining = false
        var value: Bool {
            get { lock.withLock { draining } }
            set { lock.withLock { draining = newValue } }
        }
    }

    private struct Key: StorageKey { typealias Value = Flag }

    /// Call once from the configuring code before any request, so reads need no storage write.
    static func install(_ app: Application) {
        app.storage[Key.self] = Flag()
    }

    static func begin(_ app: Application) {
        app.storage[Key.self]?.value = true
    }

    static func isDraining(_ app: Application) -> Bool {
        app.storage[Key.self]?.value ?? false
    }
}
