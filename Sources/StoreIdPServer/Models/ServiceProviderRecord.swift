import Fluent
import Foundation
import StoreIdPCore

/// The `service_providers` table: each validated `ServiceProvider` as JSON beside the columns
/// lookups need (slug, protocol, SAML entity ID, OIDC client id and B2C path).
final class ServiceProviderRecord: Model, @unchecked Sendable {
    static let schema = "service_providers"

    @ID(custom: "slug", generatedBy: .user) var id: String?
    @Field(key: "protocol") var protocolKind: String
    @OptionalField(key: "entity_id") var entityID: String?
    @OptionalField(key: "oidc_client_id") var oidcClientID: String?
    @OptionalField(key: "azure_b2c_path") var azureB2CPath: String?
    @Field(key: "definition") var definition: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(_ provider: ServiceProvider, now: Date) throws {
        id = provider.slug
        createdAt = now
        try copy(from: provider, now: now)
    }

    func copy(from provider: ServiceProvider, now: Date) throws {
        protocolKind = provider.protocolKind.rawValue
        entityID = provider.saml?.entityID
        oidcClientID = provider.oidc?.clientID
        azureB2CPath = provider.oidc?.azureB2CPath
        definition = String(decoding: try Self.encoder.encode(provider), as: UTF8.self)
        updatedAt = now
    }

    func serviceProvider() throws -> ServiceProvider {
        try JSONDecoder().decode(ServiceProvider.self, from: Data(definition.utf8))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
