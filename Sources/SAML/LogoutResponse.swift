import Foundation
import XMLSecurity

/// A `samlp:LogoutResponse` (saml-core §3.7.2, StatusResponseType §3.2.2), as read from the wire.
public struct LogoutResponse: Sendable, Hashable {
    public var id: String
    public var issueInstant: Date
    /// IssueInstant as sent, for error messages (never re-formatted).
    public var issueInstantText: String
    public var destination: String?
    public var issuer: String?
    public var inResponseTo: String?
    /// The top-level StatusCode (saml-core §3.2.2.2).
    public var statusCode: SAMLStatusCode
    public var hasEnvelopedSignature: Bool

    /// Reads a LogoutResponse element.
    public init(element: XMLElement) throws(SAMLRequestError) {
        let reader = try SAMLMessageReader(element, expected: "LogoutResponse")
        let common = try reader.common()
        id = common.id
        issueInstant = common.issueInstant
        issueInstantText = common.issueInstantText
        destination = common.destination
        issuer = common.issuer
        inResponseTo = element.attribute("InResponseTo")
        let p = SAMLNamespace.protocol
        guard let status = element.firstChild(namespace: p, localName: "Status"),
              let code = status.firstChild(namespace: p, localName: "StatusCode"),
              let value = code.attribute("Value"), !value.isEmpty else {
            throw .missingElement("samlp:Status/samlp:StatusCode")
        }
        statusCode = SAMLStatusCode(rawValue: String(value.prefix(256)))
        hasEnvelopedSignature = reader.hasEnvelopedSignature
    }
}
