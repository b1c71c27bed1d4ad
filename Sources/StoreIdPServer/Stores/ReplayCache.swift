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
        let key = namespace + ":" + value
        // One statement: a new value is inserted; an expired one is taken over; a live one is
        // left alone and returns no row.
        let rows = try await database.sql.raw("""
            INSERT INTO replay_cache (entry_key, expires_at) VALUES (\(bind: key), \(bind: expiry.timeIntervalSince1970))
            ON CONFLICT (entry_key) DO UPDATE SET expires_at = excluded.expires_at
            WHERE replay_cache.expires_at < \(bind: now.timeIntervalSince1970)
            RETURNING entry_key
            """).all()
        return !rows.isEmpty
    }
}
