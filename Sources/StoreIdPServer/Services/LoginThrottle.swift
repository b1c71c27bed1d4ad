import Fluent
import Foundation
import SQLKit
import StoreIdPCore
import Vapor

/// Failed-login counters in the database (`login_throttle`), so every node behind a load
/// balancer counts the same attempts. Each counter is a fixed window: it starts at the first
/// attempt and counts until `policy.window` has passed.
///
/// An attempt is reserved before its password is checked: one atomic upsert counts it and
/// returns the new count, so parallel guesses cannot all read a count under the limit and then
/// run bcrypt (a check-then-act race). A successful login gives the attempt back.
struct LoginThrottle: Sendable {
    let database: any Database
    let policy: LoginThrottlePolicy

    /// Counts one attempt on each key; returns the seconds until the first exhausted counter frees
    /// up when any key has now gone over its limit, nil when the attempt may proceed.
    func reserve(keys: [(key: String, limit: Int)], now: Date) async throws -> Int? {
        let sql = try database.sql
        let nowSeconds = now.timeIntervalSince1970
        let expiredBefore = nowSeconds - policy.window
        var longest: Double?
        for (key, limit) in keys {
            let row = try await sql.raw("""
                INSERT INTO login_throttle (counter_key, window_start, failures) VALUES (\(bind: key), \(bind: nowSeconds), 1)
                ON CONFLICT (counter_key) DO UPDATE SET
                  failures = CASE WHEN login_throttle.window_start <= \(bind: expiredBefore) THEN 1 ELSE login_throttle.failures + 1 END,
                  window_start = CASE WHEN login_throttle.window_start <= \(bind: expiredBefore) THEN \(bind: nowSeconds) ELSE login_throttle.window_start END
                RETURNING window_start, failures
                """).first()
            guard let row else { continue }
            let start = try row.decode(column: "window_start", as: Double.self)
            let count = try row.decode(column: "failures", as: Int.self)
            let remaining = start + policy.window - nowSeconds
            if count > limit, remaining > 0 { longest = max(longest ?? 0, remaining) }
        }
        return longest.map { Int($0.rounded(.up)) }
    }

    /// After a successful login: the account's counter starts again, and the attempt reserved on
    /// each other key is given back.
    func succeeded(accountKey: String, otherKeys: [String]) async throws {
        let sql = try database.sql
        try await sql.delete(from: "login_throttle").where("counter_key", .equal, accountKey).run()
        for key in otherKeys {
            try await sql.raw("UPDATE login_throttle SET failures = failures - 1 WHERE counter_key = \(bind: key) AND failures > 0").run()
        }
    }

    /// Deletes counters whose window has passed (they would start again at one anyway).
    func purge(now: Date) async throws {
        try await database.sql.delete(from: "login_throttle").where("window_start", .lessThanOrEqual, now.timeIntervalSince1970 - policy.window).run()
    }
}
