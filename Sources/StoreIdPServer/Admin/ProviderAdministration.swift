import Fluent
import Foundation
import SAML
import StoreIdPCore
import Vapor

/// Registering, replacing and removing service providers: the one path the command line
/// (`providers apply|remove`) and the admin API both take. Each provider is checked against the
/// stored ones (`ServiceProviderRegistration.checkConflicts`), written, and audited with who did it.
/// A change is a new stored definition, which every node reads at the next sign-in.
struct ProviderAdministration {
    let database: any Database
    let now: Date
    /// Who made the change, as the audit trail names it (`cli`, `admin:…`, `admin-token`).
    let actor: String

    private var directory: ProviderDirectory { ProviderDirectory(database: database) }

    /// A registration for entries that arrive over HTTP: no file on this server may be named.
    static func apiRegistration(environment: [String: String], files: [String: Data] = [:]) -> ServiceProviderRegistration {
        var registration = ServiceProviderRegistration(baseDirectory: URL(fileURLWithPath: "/nonexistent"), environment: environment,
                                                       readMetadata: SAMLMetadataImport.reader)
        registration.allowsFiles = false
        registration.files = files
        return registration
    }

    /// A provider from one providers.yml entry written as JSON, through the providers file's
    /// decoder and rules; a problem names its place (`provider.saml.acs_urls[0]`).
    static func provider(entryJSON body: Data, registration: ServiceProviderRegistration) throws(ProviderValidationError) -> ServiceProvider {
        let entry: ProvidersFile.Entry
        do {
            entry = try JSONDecoder().decode(ProvidersFile.Entry.self, from: body)
        } catch let error as DecodingError {
            let text = ProvidersFileLoader.describe(error)
            let parts = text.split(separator: ":", maxSplits: 1).map { String($0).trimmingWhitespace() }
            let place = parts.count == 2 && !parts[0].isEmpty ? "provider.\(parts[0])" : "provider"
            throw ProviderValidationError(place, parts.count == 2 ? parts[1] : text)
        } catch {
            throw ProviderValidationError("provider", "the body is not JSON")
        }
        return try registration.provider(from: entry, path: "provider")
    }

    /// A SAML service provider from its metadata document (uploaded, or fetched by
    /// `MetadataFetcher`), with the same checks as `saml: { metadata: … }` in a providers file.
    static func provider(metadata document: Data, slug: String, name: String?, environment: [String: String]) throws(ProviderValidationError) -> ServiceProvider {
        var fields: [String: Any] = ["slug": slug, "protocol": "saml", "saml": ["metadata": "uploaded metadata"]]
        if let name, !name.isEmpty { fields["name"] = name }
        guard let body = try? JSONSerialization.data(withJSONObject: fields) else { throw ProviderValidationError("provider", "cannot be read") }
        return try provider(entryJSON: body, registration: apiRegistration(environment: environment, files: ["uploaded metadata": document]))
    }

    /// Refuses `provider` when it collides with one of `stored` other than the ones in `replacing`.
    static func checkConflicts(_ provider: ServiceProvider, path: String, stored: [ServiceProvider], replacing: Set<String>) throws {
        let others = stored.filter { !replacing.contains($0.slug) }
        try ServiceProviderRegistration.checkConflicts(provider, path: path, with: others.map { ($0, "the registered provider '\($0.slug)'") })
    }

    enum Failure: Error, Equatable {
        case exists(String)
        case missing(String)
        case protocolChange(from: String, to: String)
    }

    func create(_ provider: ServiceProvider) async throws {
        let stored = try await directory.all()
        if stored.contains(where: { $0.slug == provider.slug }) { throw Failure.exists(provider.slug) }
        try Self.checkConflicts(provider, path: "provider", stored: stored, replacing: [])
        _ = try await directory.apply([provider], now: now)
        try await record(.providerCreated, provider.slug)
    }

    /// Replaces a provider with a new definition of the same protocol.
    func replace(_ provider: ServiceProvider) async throws -> ProviderDirectory.ApplyOutcome {
        let stored = try await directory.all()
        guard let existing = stored.first(where: { $0.slug == provider.slug }) else { throw Failure.missing(provider.slug) }
        guard existing.protocolKind == provider.protocolKind else {
            throw Failure.protocolChange(from: existing.protocolKind.rawValue, to: provider.protocolKind.rawValue)
        }
        try Self.checkConflicts(provider, path: "provider", stored: stored, replacing: [provider.slug])
        let outcome = try await directory.apply([provider], now: now).first?.1 ?? .unchanged
        if outcome != .unchanged { try await record(.providerUpdated, provider.slug) }
        return outcome
    }

    /// Creates or updates every provider of a file, all or nothing (`providers apply`).
    func apply(_ providers: [ServiceProvider]) async throws -> [(String, ProviderDirectory.ApplyOutcome)] {
        let slugs = Set(providers.map(\.slug))
        let stored = try await directory.all()
        for (index, provider) in providers.enumerated() {
            try Self.checkConflicts(provider, path: "providers[\(index)]", stored: stored, replacing: slugs)
        }
        let outcomes = try await directory.apply(providers, now: now)
        for (slug, outcome) in outcomes where outcome != .unchanged {
            try await record(outcome == .created ? .providerCreated : .providerUpdated, slug)
        }
        return outcomes
    }

    func remove(slug: String) async throws {
        guard try await directory.remove(slug: slug) else { throw Failure.missing(slug) }
        try await record(.providerRemoved, slug)
    }

    private func record(_ kind: AuditEvent.Kind, _ slug: String) async throws {
        try await AuditLog(database: database).record(kind, at: now, serviceProvider: slug, subjectID: actor)
    }
}
