import Crypto
import Foundation
import SQLKit
import StoreIdPCore

/// The `store_sessions` table, spoken through SQLKit: one primary-key read per request that
/// carries a cookie, and a write only when the session changed.
struct StoreSessionTable: Sendable {
    let sql: any SQLDatabase

    /// The key a cookie's id is stored under: its SHA-256, so the table holds no usable cookie.
    static func key(_ id: String) -> String {
        Hex.encode(SHA256.hash(data: Data(id.utf8)))
    }

    func read(id: String, now: Date) async throws -> String? {
        let row = try await sql.select().column("data").from("store_sessions")
            .where("id_hash", .equal, Self.key(id)).where("expires_at", .greaterThan, now.timeIntervalSince1970).first()
        return try row?.decode(column: "data", as: String.self)
    }

    func insert(id: String, data: String, expires: Date) async throws {
        try await sql.insert(into: "store_sessions").columns("id_hash", "data", "expires_at")
            .values(SQLBind(Self.key(id)), SQLBind(data), SQLBind(expires.timeIntervalSince1970)).run()
    }

    func update(id: String, data: String, expires: Date) async throws {
        try await sql.update("store_sessions").set("data", to: SQLBind(data)).set("expires_at", to: SQLBind(expires.timeIntervalSince1970))
            .where("id_hash", .equal, Self.key(id)).run()
    }

    func delete(id: String) async throws {
        try await sql.delete(from: "store_sessions").where("id_hash", .equal, Self.key(id)).run()
    }
}
