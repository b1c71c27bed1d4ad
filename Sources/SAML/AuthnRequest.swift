import Foundation
import XMLSecurity

/// A `samlp:AuthnRequest` (saml-core §3.4.1), as read from the wire.
/// Parsing checks shape only; ``AuthnRequestValidator`` decides whether to trust it.
public struct AuthnRequest: Sendable, Hashable, Codable {
    /// `samlp:NameIDPolicy` (saml-core §3.4.1.1).
    public struct NameIDPolicy: Sendable, Hashable, Codable {
        public var format: String?
        public var allowCreate: Bool?
        public var spNameQualifier: String?
    }

    /// `samlp:RequestedAuthnContext` (saml-core §3.3.2.2.1).
    public struct RequestedAuthnContext: Sendable, Hashable, Codable {
        public enum Comparison: String, Sendable, Hashable, Codable {
            case exact, minimum, maximum, better
        }
        /// Default "exact" (saml-core §3.3.2.2.1).
        public var comparison: Comparison
        public var classRefs: [String]
        public var declRefs: [String]
    }

    public var id: String
    public var issueInstant: Date
    /// IssueInstant as sent (at most ``SAMLInstant/maximumEchoedLength`` characters), for error messages.
    public var issueInstantText: String
    public var destination: String?
    public var issuer: String?
    public var assertionConsumerServiceURL: String?
    public var assertionConsumerServiceIndex: Int?
    public var protocolBinding: String?
    public var forceAuthn: Bool
    public var isPassive: Bool
    public var nameIDPolicy: NameIDPolicy?
    public var requestedAuthnContext: RequestedAuthnContext?
    public var providerName: String?
    /// A `ds:Signature` child is present (an enveloped signature; HTTP-POST).
    public var hasEnvelopedSignature: Bool

    /// Reads an AuthnRequest element.
    public init(element: XMLElement) throws(SAMLRequestError) {
        let reader = try SAMLMessageReader(element, expected: "AuthnRequest")
        let common = try reader.common()
        id = common.id
        issueInstant = common.issueInstant
        issueInstantText = common.issueInstantText
        destination = common.destination
        issuer = common.issuer
        assertionConsumerServiceURL = element.attribute("AssertionConsumerServiceURL")
        if let text = element.attribute("AssertionConsumerServiceIndex") {
            guard let index = Int(text.trimmingCharacters(in: .whitespaces)), (0...65535).contains(index) else {
                throw .invalidAttribute(element: reader.name, attribute: "AssertionConsumerServiceIndex", value: String(text.prefix(20)))
            }
            assertionConsumerServiceIndex = index
        }
        protocolBinding = element.attribute("ProtocolBinding")
        forceAuthn = try reader.boolean("ForceAuthn") ?? false
        isPassive = try reader.boolean("IsPassive") ?? false
        providerName = element.attribute("ProviderName")
        hasEnvelopedSignature = reader.hasEnvelopedSignature

        let p = SAMLNamespace.protocol, a = SAMLNamespace.assertion
        if let policy = element.firstChild(namespace: p, localName: "NameIDPolicy") {
            nameIDPolicy = NameIDPolicy(
                format: policy.attribute("Format"),
                allowCreate: try reader.boolean("AllowCreate", on: policy, named: "samlp:NameIDPolicy"),
                spNameQualifier: policy.attribute("SPNameQualifier"))
        }
        if let requested = element.firstChild(namespace: p, localName: "RequestedAuthnContext") {
            let text = requested.attribute("Comparison") ?? "exact"
            guard let comparison = RequestedAuthnContext.Comparison(rawValue: text) else {
                throw .invalidAttribute(element: "samlp:RequestedAuthnContext", attribute: "Comparison", value: String(text.prefix(20)))
            }
            let trim: (XMLElement) -> String = { $0.textContent.trimmingCharacters(in: .whitespacesAndNewlines) }
            requestedAuthnContext = RequestedAuthnContext(
                comparison: comparison,
                classRefs: requested.children(namespace: a, localName: "AuthnContextClassRef").map(trim),
                declRefs: requested.children(namespace: a, localName: "AuthnContextDeclRef").map(trim))
        }
    }
}
