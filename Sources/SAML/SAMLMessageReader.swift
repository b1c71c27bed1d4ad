import Foundation
import XMLSecurity

/// Shared reading of the attributes and children every request has
/// (saml-core §3.2.1 RequestAbstractType), with errors naming the element.
struct SAMLMessageReader {
    let element: XMLElement
    let name: String

    init(_ element: XMLElement, expected localName: String) throws(SAMLRequestError) {
        guard element.isElement(namespace: SAMLNamespace.protocol, localName: localName) else {
            let found = element.namespaceURI == SAMLNamespace.protocol ? "samlp:" + element.localName : element.localName
            throw .unexpectedMessage(expected: "samlp:" + localName, found: found)
        }
        self.element = element
        self.name = "samlp:" + localName
    }

    func required(_ attribute: String) throws(SAMLRequestError) -> String {
        guard let value = element.attribute(attribute), !value.isEmpty else {
            throw .missingAttribute(element: name, attribute: attribute)
        }
        return value
    }

    /// ID (xs:ID, an NCName; saml-core §1.3.4), Version "2.0", IssueInstant (parsed, and as
    /// sent, at most ``SAMLInstant/maximumEchoedLength`` characters, for error messages).
    func common() throws(SAMLRequestError) -> (id: String, issueInstant: Date, issueInstantText: String, destination: String?, issuer: String?) {
        let id = try required("ID")
        guard Self.isNCName(id), id.utf8.count <= 256 else { throw .invalidAttribute(element: name, attribute: "ID", value: String(id.prefix(80))) }
        let version = try required("Version")
        guard version == SAMLNamespace.version else { throw .unsupportedVersion(String(version.prefix(20))) }
        let instantText = try required("IssueInstant")
        guard let instant = SAMLInstant.date(from: instantText) else {
            throw .invalidAttribute(element: name, attribute: "IssueInstant", value: SAMLInstant.echo(instantText))
        }
        let destination = element.attribute("Destination")
        var issuer: String?
        if let issuerElement = element.firstChild(namespace: SAMLNamespace.assertion, localName: "Issuer") {
            if let format = issuerElement.attribute("Format"), format != SAMLNamespace.entityNameIDFormat {
                // saml-profiles §4.1.4.1: "…the Format attribute MUST be omitted or have a value of …:entity".
                throw .invalidAttribute(element: "saml:Issuer", attribute: "Format", value: format)
            }
            let text = issuerElement.textContent.trimmingCharacters(in: .whitespacesAndNewlines)
            issuer = text.isEmpty ? nil : text
        }
        return (id, instant, SAMLInstant.echo(instantText), destination, issuer)
    }

    /// xs:boolean (true, false, 1, 0).
    func boolean(_ attribute: String, on element: XMLElement? = nil, named: String? = nil) throws(SAMLRequestError) -> Bool? {
        let target = element ?? self.element
        guard let text = target.attribute(attribute) else { return nil }
        switch text.trimmingCharacters(in: .whitespaces) {
        case "true", "1": return true
        case "false", "0": return false
        default: throw .invalidAttribute(element: named ?? name, attribute: attribute, value: String(text.prefix(20)))
        }
    }

    /// A `ds:Signature` child, i.e. an enveloped signature on this element.
    var hasEnvelopedSignature: Bool {
        element.firstChild(namespace: SAMLNamespace.ds, localName: "Signature") != nil
    }

    static func isNCName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first else { return false }
        func start(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        guard start(first) else { return false }
        return s.unicodeScalars.allSatisfy { start($0) || $0 == "-" || $0 == "." || ("0"..."9").contains($0) || $0.properties.generalCategory == .nonspacingMark }
    }
}
