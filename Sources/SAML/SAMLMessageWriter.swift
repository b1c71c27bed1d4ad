import Foundation
import StoreIdPCore
import XMLSecurity

/// Builds the common head of outgoing protocol messages (saml-core §3.2.1
/// RequestAbstractType, §3.2.2 StatusResponseType) with XMLSecurity's builder.
struct SAMLMessageWriter {
    let document: XMLDocument
    let root: XMLElement
    let issuer: XMLElement

    static let p = SAMLNamespace.protocol, pp = SAMLNamespace.Prefix.protocol
    static let a = SAMLNamespace.assertion, ap = SAMLNamespace.Prefix.assertion

    /// `<samlp:{name} ID Version IssueInstant [Destination] [InResponseTo]><saml:Issuer>…`
    init(_ localName: String, id: String, issueInstant: String, destination: String?, inResponseTo: String?,
         issuer: String) throws(XMLSecurityError) {
        document = try XMLDocument(rootNamespace: Self.p, prefix: Self.pp, rootName: localName)
        guard let root = document.rootElement else { throw .internalError("no root element") }
        self.root = root
        try root.declareNamespace(Self.a, prefix: Self.ap)
        try root.setAttribute("ID", value: id)
        if let inResponseTo { try root.setAttribute("InResponseTo", value: inResponseTo) }
        try root.setAttribute("Version", value: SAMLNamespace.version)
        try root.setAttribute("IssueInstant", value: issueInstant)
        if let destination { try root.setAttribute("Destination", value: destination) }
        self.issuer = try root.addChild(namespace: Self.a, prefix: Self.ap, localName: "Issuer")
        try self.issuer.setText(issuer)
    }

    /// `samlp:Status` with a top-level code, optional second-level code and message (saml-core §3.2.2.1).
    func addStatus(_ status: SAMLStatus) throws(XMLSecurityError) {
        let element = try root.addChild(namespace: Self.p, prefix: Self.pp, localName: "Status")
        let code = try element.addChild(namespace: Self.p, prefix: Self.pp, localName: "StatusCode")
        try code.setAttribute("Value", value: status.code.rawValue)
        if let second = status.secondLevel {
            try code.addChild(namespace: Self.p, prefix: Self.pp, localName: "StatusCode").setAttribute("Value", value: second.rawValue)
        }
        if let message = status.message {
            try element.addChild(namespace: Self.p, prefix: Self.pp, localName: "StatusMessage").setText(message)
        }
    }

    /// Adds `saml:NameID` under `parent`.
    static func addNameID(_ nameID: SAMLNameID, to parent: XMLElement) throws(XMLSecurityError) {
        let element = try parent.addChild(namespace: a, prefix: ap, localName: "NameID")
        if let q = nameID.nameQualifier { try element.setAttribute("NameQualifier", value: q) }
        if let q = nameID.spNameQualifier { try element.setAttribute("SPNameQualifier", value: q) }
        if let format = nameID.format { try element.setAttribute("Format", value: format) }
        try element.setText(nameID.value)
    }

    /// Enveloped signature right after saml:Issuer (saml-core §5.4.1, schema order).
    func sign(with key: XMLSigningKey, algorithm: XMLSignatureAlgorithm) throws(XMLSecurityError) {
        try XMLSigner.sign(root, key: key, algorithm: algorithm, insertAfter: issuer)
    }
}

extension ServiceProvider.SAMLSettings.SignatureAlgorithm {
    /// The XML-DSig algorithm (xmldsig-more §2.3.2, §2.3.4).
    public var xmlAlgorithm: XMLSignatureAlgorithm {
        switch self {
        case .rsaSHA256: return .rsaSHA256
        case .rsaSHA512: return .rsaSHA512
        }
    }
}

extension ServiceProvider.SAMLSettings.AssertionEncryption {
    /// The XML Encryption block cipher (xmlenc-core1 §5.2).
    public var xmlAlgorithm: XMLEncryptionAlgorithm {
        switch self {
        case .aes256GCM: return .aes256GCM
        case .aes128CBC: return .aes128CBC
        }
    }
}
