import Fluent
import Foundation
import JWTSSO
import SQLKit
import SignOn
import StoreIdPCore

/// Registered storefronts in the database (`storefronts`), shared by every node.
struct StorefrontDirectory: Sendable {
    let database: any Database

    func all() async throws -> [Storefront] {
        let rows = try await database.sql.select().column("definition").from("storefronts").orderBy("issuer").all()
        return try rows.map { try JSONDecoder().decode(Storefront.self, from: Data(try $0.decode(column: "definition", as: String.self).utf8)) }
    }

    /// Creates or replaces each storefront, in one transaction.
    func apply(_ storefronts: [Storefront], now: Date) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await database.transaction { database in
            let sql = try database.sql
            for storefront in storefronts {
                let definition = String(decoding: try encoder.encode(storefront), as: UTF8.self)
                try await sql.raw("""
                    INSERT INTO storefronts (issuer, definition, updated_at) VALUES (\(bind: storefront.issuer), \(bind: definition), \(bind: now.timeIntervalSince1970))
                    ON CONFLICT (issuer) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
                    """).run()
            }
        }
    }
}

/// The launch-token verifier of every registered storefront (the one from
/// `STOREIDP_LAUNCH_SECRET`/`STOREIDP_LAUNCH_ISSUER` and those of the providers file). Public keys
/// are parsed once per set of storefronts, not per token; an `apply` on any node is seen at the
/// next launch.
final class StorefrontVerifierCache: @unchecked Sendable {
    private let lock = NSLock()
    private var cached: (key: [Storefront], verifier: LaunchTokenVerifier?)?

    func verifier(for storefronts: [Storefront], audience: String, environment: [String: String]) throws -> LaunchTokenVerifier? {
        if let cached = lock.withLock({ cached }), cached.key == storefronts { return cached.verifier }
        let verifier = storefronts.isEmpty ? nil : try LaunchTokenVerifier(audience: audience, storefronts: storefronts, environment: environment)
        lock.withLock { cached = (storefronts, verifier) }
        return verifier
    }
}

/// `LaunchTokenVerifiers` over the database and the settings.
struct DatabaseLaunchTokenVerifiers: LaunchTokenVerifiers {
    let database: any Database
    let services: StoreIdPServices

    func verifier() async throws -> LaunchTokenVerifier? {
        var storefronts = try await StorefrontDirectory(database: database).all()
        if let configured = services.settings.launchStorefront, !storefronts.contains(where: { $0.issuer == configured.issuer }) {
            storefronts.insert(configured, at: 0)
        }
        return try services.launchVerifiers.verifier(for: storefronts, audience: services.settings.issuer, environment: services.environment)
    }
}

extension StorefrontLinks: StorefrontLinkRegistry {
    func link(issuer: String, subject: String) async throws -> StorefrontLink? { try await find(issuer: issuer, subject: subject) }
    func links(customerID: UUID) async throws -> [StorefrontLink] { try await find(customerID: customerID) }
}
