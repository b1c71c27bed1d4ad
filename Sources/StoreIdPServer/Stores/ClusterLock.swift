import Fluent
import Foundation
import SQLKit
import Vapor

/// Work that one node at a time may do, when several share one PostgreSQL database: a
/// session-level advisory lock held on one pooled connection for the duration of the work
/// (PostgreSQL §9.27.10 "Advisory Lock Functions"). On SQLite (one node by construction) the
/// work simply runs.
enum ClusterLock {
    /// Lock keys: fixed numbers, one per kind of work.
    enum Name: Int64 {
        case migrations = 0x5354_4f52_4944_0001
        case purge = 0x5354_4f52_4944_0002
        case keys = 0x5354_4f52_4944_0003
    }

    /// Runs `work` holding the lock, waiting for another node to finish first.
    static func withLock<T: Sendable>(_ name: Name, on database: any Database, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return try await work() }
        // pg_advisory_lock waits until the lock is taken (it returns void, so the row says so).
        guard let result = try await holding(name, on: database, acquire: "SELECT true AS taken, pg_advisory_lock(\(bind: name.rawValue))", work) else {
            throw Abort(.serviceUnavailable, reason: "the cluster lock was not taken")
        }
        return result
    }

    /// Inside a transaction: waits for the lock, held until the transaction commits or rolls back
    /// (`pg_advisory_xact_lock`), on the transaction's own connection. Nothing on SQLite, where a
    /// writing transaction already excludes every other writer.
    static func lockUntilCommit(_ name: Name, _ sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: name.rawValue))").run()
    }

    /// Runs `work` only if no other node holds the lock now; false when it was skipped.
    @discardableResult
    static func ifFree(_ name: Name, on database: any Database, _ work: @escaping @Sendable () async throws -> Void) async throws -> Bool {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else {
            try await work()
            return true
        }
        return try await holding(name, on: database, acquire: "SELECT pg_try_advisory_lock(\(bind: name.rawValue)) AS taken", work) != nil
    }

    /// On one pooled connection: `acquire` (a row with `taken`), then `work` and the unlock when
    /// it was taken, the unlock also when `work` throws; nil when the lock was not taken.
    private static func holding<T: Sendable>(_ name: Name, on database: any Database, acquire: SQLQueryString,
                                             _ work: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await database.withConnection { connection in
            let locked = try connection.sql
            guard let row = try await locked.raw(acquire).first(), try row.decode(column: "taken", as: Bool.self) else { return nil }
            do {
                let result = try await work()
                try await locked.raw("SELECT pg_advisory_unlock(\(bind: name.rawValue))").run()
                return result
            } catch {
                try? await locked.raw("SELECT pg_advisory_unlock(\(bind: name.rawValue))").run()
                throw error
            }
        }
    }
}
