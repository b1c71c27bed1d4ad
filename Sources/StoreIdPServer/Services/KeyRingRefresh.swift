import Foundation
import Vapor

/// Every second, asks the database whether the key ring changed (`DatabaseKeyRing.refresh`, one
/// small query) and reloads it when it did: a `keys rotate` run on any node, or by the command
/// line, signs on every node within about a second, with no restart. The time it waits for a
/// pooled connection is the node's sample of `storeidp_database_pool_wait_seconds`.
final class KeyRingRefresh: @unchecked Sendable {
    static let interval = Duration.seconds(1)
    private let lock = NSLock()
    private var failing = false

    /// The job `configure` registers: one `refreshOnce` a second.
    static func job() -> PeriodicJob {
        let refresh = KeyRingRefresh()
        return PeriodicJob(every: interval) { await refresh.refreshOnce($0) }
    }

    /// One round: the pool-wait sample, the version check, a reload when it moved; a failure is
    /// logged once per outage and the ring in memory keeps signing.
    func refreshOnce(_ application: Application) async {
        do {
            let keyRing = application.storeIdP.keyRing
            let asked = DispatchTime.now().uptimeNanoseconds
            let changed = try await application.db.withConnection { connection in
                StoreIdPMetrics.poolWait(seconds: Double(DispatchTime.now().uptimeNanoseconds - asked) / 1e9)
                return try await keyRing.refresh(on: connection)
            }
            StoreIdPMetrics.keyRingVersion(keyRing.loadedVersion ?? 0)
            if changed {
                application.logger.notice("key ring changed in the database; reloaded", metadata: [
                    "version": .stringConvertible(keyRing.loadedVersion ?? 0),
                ])
            }
            if lock.withLock({ failing }) {
                lock.withLock { failing = false }
                application.logger.notice("key ring refresh works again")
            }
        } catch {
            let first = lock.withLock { () -> Bool in
                defer { failing = true }
                return !failing
            }
            if first {
                application.logger.warning("key ring refresh failed; signing with the ring in memory", metadata: [
                    "error": .string(String(String(describing: error).prefix(200))),
                ])
            }
        }
    }
}
