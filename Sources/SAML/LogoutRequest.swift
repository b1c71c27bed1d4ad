import Foundation
import XMLSecurity

/// A `samlp:LogoutRequest` (saml-core §3.7.1), as read from the wire.
public struct LogoutRequest: Sendable, Hashable {
    public var id: String
    public var issueInstant: Date
    /// IssueInstant as sent (at most ``SAMLInstant/maximumEchoedLength`` characters), for error messages.
    public var issueInstantText: String
    public var destination: String?
    public var issuer: String?
    /// "The time at which the request expires" (saml-core §3.7.1).
    public var notOnOrAfter: Date?
    /// NotOnOrAfter as sent (at most ``SAMLInstant/maximumEchoedLength`` characters), for error messages.
    public var notOnOrAfterText: String?
    public var reason: String?
    /// The principal to log out (saml-core §3.7.1; EncryptedID and BaseID are not supported).
    public var nameID: SAMLNameID
    /// The sessions to end; empty means every session of the principal at this SP.
    public var sessionIndexes: [String]
    public var hasEnvelopedSignature: Bool

    /// Reads a LogoutRequest element.
    public init(element: XMLElement) throws(SAMLRequestError) {
        let reader = try SAMLMessageReader(element, expected: "LogoutRequest")
        let common = try reader.common()
        id = common.id
        issueInstant = common.issueInstant
        issueInstantText = common.issueInstantText
        destination = common.destination
        issuer = common.issuer
        reason = element.attribute("Reason")
        if let text = element.attribute("NotOnOrAfter") {
            guard let date = SAMLInstant.date(from: text) else {
                throw .invalidAttribute(element: reader.name, attribute: "NotOnOrAfter", value: SAMLInstant.echo(text))
            }
            notOnOrAfter = date
            notOnOrAfterText = SAMLInstant.echo(text)
        }
        let a = SAMLNamespace.assertion
        if element.firstChild(namespace: a, localName: "EncryptedID") != nil { throw .unsupportedElement("saml:EncryptedID") }
        if element.firstChild(namespace: a, localName: "BaseID") != nil { throw .unsupportedElement("saml:BaseID") }
        guard let name = element.firstChild(namespace: a, localName: "NameID") else { throw .missingElement("saml:NameID") }
        nameID = SAMLNameID(value: name.textContent.trimmingCharacters(in: .whitespacesAndNewlines),
                            format: name.attribute("Format"), nameQualifier: name.attribute("NameQualifier"),
                            spNameQualifier: name.attribute("SPNameQualifier"))
        sessionIndexes = element.children(namespace: SAMLNamespace.protocol, localName: "SessionIndex")
            .map { $0.textContent.trimmingCharacters(in: .whitespacesAndNewlines) }
        hasEnvelopedSignature = reader.hasEnvelopedSignature
    }
}
