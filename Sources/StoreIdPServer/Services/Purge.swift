import Fluent
import Foundation
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

extension Purge {
    /// The job `configure` registers: a purge every five minutes, by one node at a time (the
    /// others skip the round).
    static func job() -> PeriodicJob {
        PeriodicJob(every: .seconds(300)) { application in
            let services = application.storeIdP
            do {
                let purge = Purge(database: application.db, throttle: LoginThrottle(database: application.db, policy: services.settings.loginThrottle))
                let now = services.timeSource.now
                try await ClusterLock.ifFree(.purge, on: application.db) { try await purge.run(now: now) }
            } catch {
                application.logger.warning("purge failed", metadata: ["error": .string(String(describing: error).prefix(200).description)])
            }
        }
    }
}
