import Foundation
import SAML

/// An admin's upload of a partner's SAML metadata (saml-metadata §2.4.4 SPSSODescriptor),
/// read into settings.
enum SPMetadataTarget {
    static func run(_ input: Data) -> String {
        do {
            let result = try ServiceProviderMetadataReader.read(input, path: "metadata.xml")
            return "read \(result.settings.entityID) with \(result.notes.count) note(s)"
        } catch {
            return "refused: \(error.description)"
        }
    }
}
