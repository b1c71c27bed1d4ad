import Foundation
import StoreIdPCore

/// Reads a service provider's SAML metadata file during `providers apply`.
enum SAMLMetadataImport {
    static let reader: ServiceProviderRegistration.MetadataReader = { (_: Data, path: String) throws(ProviderValidationError) -> ServiceProvider.SAMLSettings in
        throw ProviderValidationError(path, "importing SAML metadata files is not available yet")
    }
}
