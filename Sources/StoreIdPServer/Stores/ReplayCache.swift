import Fluent
import Foundation
import SQLKit
import SignOn

/// Single-use values shared by every node through the database: the first `claim` of a value
/// succeeds, every later one (on any node) fails until the value expires. The primary key makes
/// the check and the claim one atomic insert. Expired entries are deleted by `Purge`.
struct ReplayCache: ReplayGuard {
    let database: any Database

    /// True when `value` had not been seen in `namespace`; false for a replay.
    func claim(_ value: String, namespace: String, until expiry: Date, now: Date) async throws -> Bool {
        let sql = try database.sql
        let key = namespace + ":" + value
        try await sql.delete(from: "replay_cache").where("entry_key", .equal, key)
            .where("expires_at", .lessThan, now.timeIntervalSince1970).run()
        let rows = try await sql.raw("""
            INSERT INTO replay_cache (entry_key, expires_at) VALUES (\(bind: key), \(bind: expiry.timeIntervalSince1970))
            ON CONFLICT (entry_key) DO NOTHING RETURNING entry_key
            """).all()
        return !rows.isEmpty
    }
}
