import Foundation
import SAML

/// An admin's upload of a partner's SAML metadata (saml-metadata §2.4.4 SPSSODescriptor),
/// read into settings.
enum SPMetadataTarget {
    static func run(_ input: Data) {
        do {
            let result = try ServiceProviderMetadataReader.read(input, path: "metadata.xml")
            _ = result.notes
        } catch {
            _ = error.description
        }
    }
}
