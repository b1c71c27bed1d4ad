import Foundation
import SAML
import StoreIdPCore

/// Reads a service provider's SAML metadata file during `providers apply`.
enum SAMLMetadataImport {
    static let reader: ServiceProviderRegistration.MetadataReader = ServiceProviderMetadataReader.reader
}
