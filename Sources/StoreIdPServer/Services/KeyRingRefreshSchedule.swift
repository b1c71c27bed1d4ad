import Foundation
import NIOCore
import Vapor

/// Every second, asks the database whether the key ring changed (`DatabaseKeyRing.refresh`, one
/// small query) and reloads it when it did: a `keys rotate` run on any node, or by the command
/// line, signs on every node within about a second, with no restart.
final class KeyRingRefreshSchedule: LifecycleHandler, @unchecked Sendable {
    static let interval = TimeAmount.seconds(1)
    private let lock = NSLock()
    private var task: RepeatedTask?
    private var failing = false

    func didBootAsync(_ application: Application) async throws {
        let loop = application.eventLoopGroup.next()
        let task = loop.scheduleRepeatedAsyncTask(initialDelay: Self.interval, delay: Self.interval) { [self] _ in
            let promise = loop.makePromise(of: Void.self)
            promise.completeWithTask {
                do {
                    if try await application.storeIdP.keyRing.refresh(on: application.db) {
                        application.logger.notice("key ring changed in the database; reloaded", metadata: [
                            "version": .stringConvertible(application.storeIdP.keyRing.loadedVersion ?? 0),
                        ])
                    }
                    if self.lock.withLock({ self.failing }) {
                        self.lock.withLock { self.failing = false }
                        application.logger.notice("key ring refresh works again")
                    }
                } catch {
                    // Reported once per outage; the ring in memory keeps signing meanwhile.
                    let first = self.lock.withLock { () -> Bool in
                        defer { self.failing = true }
                        return !self.failing
                    }
                    if first {
                        application.logger.warning("key ring refresh failed; signing with the ring in memory", metadata: [
                            "error": .string(String(String(describing: error).prefix(200))),
                        ])
                    }
                }
            }
            return promise.futureResult
        }
        lock.withLock { self.task = task }
    }

    func shutdown(_ application: Application) {
        lock.withLock { task }?.cancel()
    }
}
