import Fluent
import Foundation
import NIOCore
import SQLKit
import Vapor

/// Deletes what has expired: store sessions, replay-cache entries, OpenID Connect grants and
/// refresh tokens, and login-throttle counters.
/// Nothing else bounds these tables, since each anonymous request may add a throttle or replay
/// row.
struct Purge: Sendable {
    let database: any Database
    let throttle: LoginThrottle


    func run(now: Date) async throws {
        let sql = try database.sql
        let nowSeconds = now.timeIntervalSince1970
        try await sql.delete(from: "store_sessions").where("expires_at", .lessThanOrEqual, nowSeconds).run()
        try await sql.delete(from: "replay_cache").where("expires_at", .lessThan, nowSeconds).run()
        try await OIDCGrantDirectory.purge(sql, now: now)
        try await AdminSessions.purge(sql, now: now)
        try await throttle.purge(now: now)
    }
}

/// Runs `Purge` every few minutes while the application runs.
final class PurgeSchedule: LifecycleHandler, @unchecked Sendable {
    static let interval = TimeAmount.minutes(5)
    private let lock = NSLock()
    private var task: RepeatedTask?

    func didBootAsync(_ application: Application) async throws {
        let loop = application.eventLoopGroup.next()
        let task = loop.scheduleRepeatedAsyncTask(initialDelay: Self.interval, delay: Self.interval) { _ in
            let promise = loop.makePromise(of: Void.self)
            promise.completeWithTask {
                let services = application.storeIdP
                do {
                    // One node purges at a time; the others skip this round.
                    let purge = Purge(database: application.db, throttle: LoginThrottle(database: application.db, policy: services.settings.loginThrottle))
                    let now = services.timeSource.now
                    try await ClusterLock.ifFree(.purge, on: application.db) { try await purge.run(now: now) }
                } catch {
                    application.logger.warning("purge failed", metadata: ["error": .string(String(describing: error).prefix(200).description)])
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
