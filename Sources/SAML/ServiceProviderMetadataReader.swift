import Foundation
import StoreIdPCore
import XMLSecurity

/// Reads a service provider's SAML metadata (saml-metadata §2.3.2
/// EntityDescriptor, §2.4.4 SPSSODescriptor) into `ServiceProvider.SAMLSettings`,
/// when an admin registers the partner. Every refusal names the element at fault.
///
/// ```swift
/// let registration = ServiceProviderRegistration(baseDirectory: dir, readMetadata: ServiceProviderMetadataReader.reader)
/// ```
public enum ServiceProviderMetadataReader {
    /// What was read, and what was left out on the way (for the admin to review).
    public struct Result: Sendable, Hashable {
        public var settings: ServiceProvider.SAMLSettings
        /// Parts of the metadata StoreIdP ignores (e.g. an Artifact ACS), one sentence each.
        public var notes: [String]
    }

    /// The reader in the shape `ServiceProviderRegistration` expects.
    public static let reader: ServiceProviderRegistration.MetadataReader = { (data, path) throws(ProviderValidationError) in
        try settings(from: data, path: path)
    }

    /// Settings from metadata; `path` names the metadata in error messages.
    public static func settings(from data: Data, path: String) throws(ProviderValidationError) -> ServiceProvider.SAMLSettings {
        try read(data, path: path).settings
    }

    /// Settings and notes from metadata.
    public static func read(_ data: Data, path: String) throws(ProviderValidationError) -> Result {
        let document: XMLDocument
        do {
            document = try XMLDocument(parsing: data)
        } catch {
            throw ProviderValidationError(path, "the metadata is not usable XML: \(error)")
        }
        guard let root = document.rootElement else { throw ProviderValidationError(path, "the metadata is empty") }
        let md = SAMLNamespace.metadata
        var notes: [String] = []

        let entity: XMLElement
        if root.isElement(namespace: md, localName: "EntityDescriptor") {
            entity = root
        } else if root.isElement(namespace: md, localName: "EntitiesDescriptor") {
            let candidates = entityDescriptors(in: root).filter { !$0.children(namespace: md, localName: "SPSSODescriptor").isEmpty }
            guard candidates.count == 1 else {
                throw ProviderValidationError(path, "md:EntitiesDescriptor holds \(candidates.count) entities with an md:SPSSODescriptor; exactly one is needed (register each service provider separately)")
            }
            entity = candidates[0]
        } else {
            throw ProviderValidationError(path, "the root element is <\(root.localName)>, not md:EntityDescriptor in namespace \(md)")
        }

        guard let entityID = entity.attribute("entityID")?.trimmingCharacters(in: .whitespacesAndNewlines), !entityID.isEmpty else {
            throw ProviderValidationError("\(path).EntityDescriptor", "md:EntityDescriptor has no entityID attribute")
        }
        guard entityID.utf8.count <= 1024 else {
            throw ProviderValidationError("\(path).EntityDescriptor", "entityID is longer than 1024 characters (saml-metadata §2.3.2)")
        }
        if let validUntil = entity.attribute("validUntil"), let date = SAMLInstant.date(from: validUntil), date < Date() {
            notes.append("md:EntityDescriptor validUntil \(validUntil) has passed; fetch current metadata from the partner")
        }

        let descriptors = entity.children(namespace: md, localName: "SPSSODescriptor").filter {
            ($0.attribute("protocolSupportEnumeration") ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
                .contains { $0 == Substring(SAMLNamespace.protocol) }
        }
        guard descriptors.count == 1 else {
            throw ProviderValidationError("\(path).SPSSODescriptor",
                "expected one md:SPSSODescriptor whose protocolSupportEnumeration lists \(SAMLNamespace.protocol), found \(descriptors.count)")
        }
        let sp = descriptors[0]
        let here = "\(path).SPSSODescriptor"

        // Keys (saml-metadata §2.4.1.1): use="signing", "encryption", or absent for both.
        var signing: [String] = [], encryption: [String] = []
        for (index, descriptor) in sp.children(namespace: md, localName: "KeyDescriptor").enumerated() {
            let where_ = "\(here).KeyDescriptor[\(index)]"
            let use = descriptor.attribute("use")
            guard use == nil || use == "signing" || use == "encryption" else {
                throw ProviderValidationError(where_, "use=\"\(use ?? "")\" is neither signing nor encryption")
            }
            let certificates = try certificatesPEM(in: descriptor, path: where_)
            if use != "encryption" { signing.append(contentsOf: certificates) }
            if use != "signing" { encryption.append(contentsOf: certificates) }
        }

        // Assertion consumer services (saml-metadata §2.4.4, IndexedEndpointType §2.2.3).
        var consumers: [ServiceProvider.SAMLSettings.Endpoint] = []
        var seenIndexes = Set<Int>()
        for (position, acs) in sp.children(namespace: md, localName: "AssertionConsumerService").enumerated() {
            let where_ = "\(here).AssertionConsumerService[\(position)]"
            let binding = acs.attribute("Binding") ?? ""
            guard let location = acs.attribute("Location"), !location.isEmpty else {
                throw ProviderValidationError(where_, "md:AssertionConsumerService has no Location")
            }
            guard let indexText = acs.attribute("index") else {
                throw ProviderValidationError(where_, "md:AssertionConsumerService has no index (saml-metadata §2.2.3 requires one)")
            }
            guard let index = Int(indexText), (0...65535).contains(index) else {
                throw ProviderValidationError(where_, "index \"\(indexText)\" is not an unsigned short")
            }
            guard seenIndexes.insert(index).inserted else {
                throw ProviderValidationError(where_, "index \(index) is used by two md:AssertionConsumerService elements")
            }
            guard binding == SAMLBindingURI.httpPOST else {
                notes.append("md:AssertionConsumerService \(location) (index \(index)) uses \(binding); StoreIdP answers only with HTTP-POST, so it is ignored")
                continue
            }
            try ServiceProviderRegistration.checkURL(location, path: "\(where_).Location", requireHTTPS: true)
            let isDefault = try boolean(acs, "isDefault", path: where_) ?? false
            consumers.append(.init(url: location, binding: .httpPOST, index: index, isDefault: isDefault))
        }
        guard !consumers.isEmpty else {
            throw ProviderValidationError(here, "no md:AssertionConsumerService with the HTTP-POST binding")
        }

        // Single logout (saml-metadata §2.4.2; ResponseLocation §2.2.2).
        var logouts: [ServiceProvider.SAMLSettings.Endpoint] = []
        for (position, slo) in sp.children(namespace: md, localName: "SingleLogoutService").enumerated() {
            let where_ = "\(here).SingleLogoutService[\(position)]"
            guard let location = slo.attribute("Location"), !location.isEmpty else {
                throw ProviderValidationError(where_, "md:SingleLogoutService has no Location")
            }
            guard let binding = SAMLBinding(rawValue: slo.attribute("Binding") ?? "") else {
                notes.append("md:SingleLogoutService \(location) uses \(slo.attribute("Binding") ?? "no binding"); only HTTP-Redirect and HTTP-POST are used")
                continue
            }
            try ServiceProviderRegistration.checkURL(location, path: "\(where_).Location", requireHTTPS: true)
            let responseLocation = slo.attribute("ResponseLocation")
            if let responseLocation {
                try ServiceProviderRegistration.checkURL(responseLocation, path: "\(where_).ResponseLocation", requireHTTPS: true)
            }
            logouts.append(.init(url: location, binding: binding, index: logouts.count, isDefault: false, responseURL: responseLocation))
        }

        var settings = ServiceProvider.SAMLSettings(entityID: entityID, assertionConsumerServices: consumers,
                                                    singleLogoutServices: logouts,
                                                    signingCertificates: signing, encryptionCertificates: encryption)
        settings.wantAuthnRequestsSigned = try boolean(sp, "AuthnRequestsSigned", path: here) ?? false
        if settings.wantAuthnRequestsSigned && signing.isEmpty {
            throw ProviderValidationError(here, "AuthnRequestsSigned=\"true\" but no md:KeyDescriptor gives a signing certificate")
        }
        if try boolean(sp, "WantAssertionsSigned", path: here) == true {
            settings.signing = .both
        }

        // NameIDFormat (saml-metadata §2.4.2): the first one we can issue.
        let formats = sp.children(namespace: md, localName: "NameIDFormat").map { $0.textContent.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let format = formats.lazy.compactMap(ServiceProvider.SAMLSettings.NameIDFormat.init(rawValue:)).first {
            settings.nameIDFormat = format
        } else if !formats.isEmpty {
            notes.append("none of the md:NameIDFormat values (\(formats.joined(separator: ", "))) can be issued; using emailAddress")
        }
        return Result(settings: settings, notes: notes)
    }

    /// EntityDescriptors at any depth under an EntitiesDescriptor (saml-metadata §2.3.1 allows nesting).
    private static func entityDescriptors(in group: XMLElement) -> [XMLElement] {
        var result: [XMLElement] = []
        for child in group.children where child.namespaceURI == SAMLNamespace.metadata {
            if child.localName == "EntityDescriptor" { result.append(child) }
            else if child.localName == "EntitiesDescriptor" { result += entityDescriptors(in: child) }
        }
        return result
    }

    private static func certificatesPEM(in descriptor: XMLElement, path: String) throws(ProviderValidationError) -> [String] {
        let ds = SAMLNamespace.ds
        guard let keyInfo = descriptor.firstChild(namespace: ds, localName: "KeyInfo") else {
            throw ProviderValidationError(path, "md:KeyDescriptor has no ds:KeyInfo")
        }
        var result: [String] = []
        for data in keyInfo.children(namespace: ds, localName: "X509Data") {
            for element in data.children(namespace: ds, localName: "X509Certificate") {
                do {
                    result.append(try XMLCertificate(base64DER: element.textContent).pemRepresentation)
                } catch {
                    throw ProviderValidationError("\(path).X509Certificate", "ds:X509Certificate cannot be read: \(error)")
                }
            }
        }
        guard !result.isEmpty else {
            throw ProviderValidationError(path, "md:KeyDescriptor has no ds:KeyInfo/ds:X509Data/ds:X509Certificate")
        }
        return result
    }

    /// xs:boolean: "true", "false", "1", "0".
    private static func boolean(_ element: XMLElement, _ name: String, path: String) throws(ProviderValidationError) -> Bool? {
        guard let text = element.attribute(name) else { return nil }
        switch text.trimmingCharacters(in: .whitespaces) {
        case "true", "1": return true
        case "false", "0": return false
        default: throw ProviderValidationError(path, "\(name)=\"\(text)\" is not true or false")
        }
    }
}
