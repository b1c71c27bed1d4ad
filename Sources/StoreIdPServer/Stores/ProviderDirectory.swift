import Fluent
import Foundation
import SQLKit
import SignOn
import StoreIdPCore

/// Registered service providers in the database.
struct ProviderDirectory: ServiceProviderCatalog {
    let database: any Database

    func provider(slug: String) async throws -> ServiceProvider? { try await find(slug: slug) }
    func provider(entityID: String) async throws -> ServiceProvider? { try await find(entityID: entityID) }

    func provider(oidcClientID: String) async throws -> ServiceProvider? {
        guard !oidcClientID.isEmpty, oidcClientID.utf8.count <= 256 else { return nil }
        return try await findOne(where: "oidc_client_id", equals: oidcClientID)
    }

    func provider(azureB2CPath: String) async throws -> ServiceProvider? {
        guard ServiceProviderRegistration.isValidSlug(azureB2CPath) else { return nil }
        return try await findOne(where: "azure_b2c_path", equals: azureB2CPath)
    }

    func all() async throws -> [ServiceProvider] {
        try await ServiceProviderRecord.query(on: database).sort(\.$id).all().map { try $0.serviceProvider() }
    }

    /// Lookups read the stored definition through SQLKit (no Fluent model on the sign-in path)
    /// and decode each distinct definition once (`ServiceProviderDecodeCache`): a change made on
    /// any node is a new definition, seen at the next sign-in.
    func find(slug: String) async throws -> ServiceProvider? {
        guard ServiceProviderRegistration.isValidSlug(slug) else { return nil }
        return try await findOne(where: "slug", equals: slug)
    }

    func find(entityID: String) async throws -> ServiceProvider? {
        guard !entityID.isEmpty, entityID.utf8.count <= 1024 else { return nil }
        return try await findOne(where: "entity_id", equals: entityID)
    }

    private func findOne(where column: String, equals value: String) async throws -> ServiceProvider? {
        guard let row = try await database.sql.select().column("definition").from(ServiceProviderRecord.schema)
            .where(SQLColumn(column), .equal, SQLBind(value)).first() else { return nil }
        return try ServiceProviderDecodeCache.shared.provider(definition: try row.decode(column: "definition", as: String.self))
    }

    enum ApplyOutcome: String { case created, updated, unchanged }

    /// Creates or updates every provider in one transaction: all or nothing.
    func apply(_ providers: [ServiceProvider], now: Date) async throws -> [(String, ApplyOutcome)] {
        try await database.transaction { database in
            var outcomes: [(String, ApplyOutcome)] = []
            for provider in providers {
                if let existing = try await ServiceProviderRecord.find(provider.slug, on: database) {
                    if try existing.serviceProvider() == provider {
                        outcomes.append((provider.slug, .unchanged))
                        continue
                    }
                    try existing.copy(from: provider, now: now)
                    try await existing.update(on: database)
                    outcomes.append((provider.slug, .updated))
                } else {
                    try await ServiceProviderRecord(provider, now: now).create(on: database)
                    outcomes.append((provider.slug, .created))
                }
            }
            return outcomes
        }
    }

    func remove(slug: String) async throws -> Bool {
        guard let record = try await ServiceProviderRecord.find(slug, on: database) else { return false }
        try await record.delete(on: database)
        return true
    }
}

/// Decoded providers by their stored definition text: decoding a provider (certificates, mapping
/// expressions) on every sign-in is work the text already settles. Bounded; cleared when full.
final class ServiceProviderDecodeCache: @unchecked Sendable {
    static let shared = ServiceProviderDecodeCache()
    private let lock = NSLock()
    private var decoded: [String: ServiceProvider] = [:]
    private let capacity = 512

    func provider(definition: String) throws -> ServiceProvider {
        if let hit = lock.withLock({ decoded[definition] }) { return hit }
        let provider = try JSONDecoder().decode(ServiceProvider.self, from: Data(definition.utf8))
        lock.withLock {
            if decoded.count >= capacity { decoded.removeAll(keepingCapacity: true) }
            decoded[definition] = provider
        }
        return provider
    }
}
