import Fluent
import Foundation
import SQLKit
import StoreIdPCore
import Vapor

/// Failed-login counters in the database (`login_throttle`), so every node behind a load
/// balancer counts the same failures. Each counter is a fixed window: it starts at the first
/// failure and counts until `policy.window` has passed.
struct LoginThrottle: Sendable {
    let database: any Database
    let policy: LoginThrottlePolicy

    /// Seconds until the first exhausted counter among `keys` frees up, or nil when none is.
    func retryAfter(keys: [(key: String, limit: Int)], now: Date) async throws -> Int? {
        let sql = try self.sql
        let nowSeconds = now.timeIntervalSince1970
        var longest: Double?
        for (key, limit) in keys {
            let rows = try await sql.select().column("window_start").column("failures").from("login_throttle")
                .where("counter_key", .equal, key).all()
            guard let row = rows.first else { continue }
            let start = try row.decode(column: "window_start", as: Double.self)
            let failures = try row.decode(column: "failures", as: Int.self)
            let remaining = start + policy.window - nowSeconds
            if remaining > 0, failures >= limit { longest = max(longest ?? 0, remaining) }
        }
        return longest.map { Int($0.rounded(.up)) }
    }

    /// Counts one failure on each key; a counter whose window has passed starts again at one.
    func recordFailure(keys: [String], now: Date) async throws {
        let sql = try self.sql
        let nowSeconds = now.timeIntervalSince1970
        let expiredBefore = nowSeconds - policy.window
        for key in keys {
            try await sql.raw("""
                INSERT INTO login_throttle (counter_key, window_start, failures) VALUES (\(bind: key), \(bind: nowSeconds), 1)
                ON CONFLICT (counter_key) DO UPDATE SET
                  failures = CASE WHEN login_throttle.window_start <= \(bind: expiredBefore) THEN 1 ELSE login_throttle.failures + 1 END,
                  window_start = CASE WHEN login_throttle.window_start <= \(bind: expiredBefore) THEN \(bind: nowSeconds) ELSE login_throttle.window_start END
                """).run()
        }
    }

    /// Forgets an account's failures after a successful login.
    func reset(key: String) async throws {
        try await sql.delete(from: "login_throttle").where("counter_key", .equal, key).run()
    }

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError) }
            return sql
        }
    }
}
