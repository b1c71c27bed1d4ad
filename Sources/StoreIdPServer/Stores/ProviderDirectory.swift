import Fluent
import Foundation
import SignOn
import StoreIdPCore

/// Registered service providers in the database.
struct ProviderDirectory: ServiceProviderCatalog {
    let database: any Database

    func provider(slug: String) async throws -> ServiceProvider? { try await find(slug: slug) }
    func provider(entityID: String) async throws -> ServiceProvider? { try await find(entityID: entityID) }

    func all() async throws -> [ServiceProvider] {
        try await ServiceProviderRecord.query(on: database).sort(\.$id).all().map { try $0.serviceProvider() }
    }

    func find(slug: String) async throws -> ServiceProvider? {
        guard ServiceProviderRegistration.isValidSlug(slug) else { return nil }
        return try await ServiceProviderRecord.find(slug, on: database)?.serviceProvider()
    }

    func find(entityID: String) async throws -> ServiceProvider? {
        try await ServiceProviderRecord.query(on: database).filter(\.$entityID == entityID).first()?.serviceProvider()
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
