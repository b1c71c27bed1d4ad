import Foundation
import XMLSecurity

/// Everything wrong with an incoming SAML request, worded for the partner's
/// admin who has to fix their service provider, with the offending value.
///
/// Whether StoreIdP shows an error page or answers the ACS with a SAML status
/// depends on whether the ACS was trusted when the error was found; see
/// ``AuthnRequestRejection``. ``samlStatus`` gives the status to send when it was.
public enum SAMLRequestError: Error, Equatable, Sendable, CustomStringConvertible {
    // Transport (saml-bindings §3.4, §3.5).
    /// The query string or form is not in the binding's shape.
    case malformedQuery(String)
    /// A required parameter (SAMLRequest, SigAlg, …) is missing.
    case missingParameter(String)
    /// A parameter appears twice; which one to trust would be ambiguous.
    case duplicateParameter(String)
    /// The encoded message is larger than the limit (bytes).
    case messageTooLarge(limit: Int)
    /// A parameter is not valid base64.
    case malformedBase64(parameter: String)
    /// The DEFLATE data inflates beyond the limit (a deflate bomb, or an absurdly large message).
    case inflateLimitExceeded(limit: Int)
    /// The HTTP-Redirect message is not raw DEFLATE data.
    case notDeflated(String)
    /// The message is not well-formed XML.
    case notXML(String)
    /// The XML has a DOCTYPE (entity declarations: XXE, billion laughs); never needed by SAML.
    case doctypeForbidden
    /// Elements are nested deeper than the limit.
    case tooDeep(limit: Int)
    /// RelayState is longer than 80 bytes (saml-bindings §3.4.3).
    case relayStateTooLong(bytes: Int)

    // Message shape (saml-core §3.2.1, §3.4.1, §3.7.1).
    /// The root element is not the expected message.
    case unexpectedMessage(expected: String, found: String)
    /// Version is not "2.0".
    case unsupportedVersion(String)
    /// A required attribute is missing from an element.
    case missingAttribute(element: String, attribute: String)
    /// An attribute has a value that cannot be used.
    case invalidAttribute(element: String, attribute: String, value: String)
    /// A required element is missing.
    case missingElement(String)
    /// An element appears that StoreIdP does not support here.
    case unsupportedElement(String)

    // Who is asking (saml-profiles §4.1.4.1).
    /// The request has no saml:Issuer.
    case missingIssuer
    /// No registered service provider has this entity ID.
    case unknownIssuer(String)
    /// The entity ID belongs to a service provider that does not speak SAML.
    case issuerNotSAML(String)

    // Signatures (saml-bindings §3.4.4.1, §3.5.4; xmldsig-core).
    /// The service provider must sign its requests, and this one is not signed.
    case signatureRequired
    /// Signatures are required but no certificate is registered to check them.
    case noSigningCertificate(entityID: String)
    /// The signature does not verify with the registered certificates (or is wrapped, malformed, …).
    case signatureInvalid(String)
    /// SigAlg or the signature method is not one StoreIdP accepts (SHA-1 is refused).
    case signatureAlgorithmNotAllowed(String)

    // Freshness and addressing (saml-bindings §3.4.5.2, §3.5.5.2).
    /// Destination is not our endpoint.
    case wrongDestination(String)
    /// A signed request must carry a Destination.
    case missingDestination
    /// IssueInstant (or NotOnOrAfter) is too far in the past.
    case expired(String)
    /// IssueInstant is too far in the future.
    case notYetValid(String)

    // Where to answer (saml-profiles §4.1.4.1, saml-metadata §2.4.4).
    /// AssertionConsumerServiceURL is not registered for this service provider.
    case unregisteredACS(String)
    /// AssertionConsumerServiceIndex names no registered HTTP-POST ACS.
    case unregisteredACSIndex(Int)
    /// Both AssertionConsumerServiceURL and AssertionConsumerServiceIndex were given (saml-core §3.4.1: mutually exclusive).
    case acsURLAndIndexBoth
    /// The service provider has no HTTP-POST ACS to answer.
    case noDefaultACS(entityID: String)

    // Found after the ACS is trusted: answered with a SAML status (saml-core §3.2.2.2).
    /// ProtocolBinding asks for a binding other than HTTP-POST.
    case unsupportedProtocolBinding(String)
    /// NameIDPolicy asks for a format this service provider is not configured for.
    case unsupportedNameIDPolicy(String)
    /// RequestedAuthnContext cannot be met by a store password login.
    case unsupportedAuthnContext(comparison: String, classRefs: [String])

    /// The SAML status to answer with when the ACS is already trusted.
    public var samlStatus: SAMLStatus {
        switch self {
        case .unsupportedProtocolBinding:
            return SAMLStatus(code: .responder, secondLevel: .unsupportedBinding, message: description)
        case .unsupportedNameIDPolicy:
            return SAMLStatus(code: .requester, secondLevel: .invalidNameIDPolicy, message: description)
        case .unsupportedAuthnContext:
            return SAMLStatus(code: .requester, secondLevel: .noAuthnContext, message: description)
        case .unsupportedVersion:
            return SAMLStatus(code: .versionMismatch, message: description)
        default:
            return SAMLStatus(code: .requester, secondLevel: .requestDenied, message: description)
        }
    }

    public var description: String {
        switch self {
        case let .malformedQuery(m): return "the request's query string or form is malformed: \(m)"
        case let .missingParameter(p): return "the request has no \(p) parameter"
        case let .duplicateParameter(p): return "the \(p) parameter appears more than once"
        case let .messageTooLarge(limit): return "the SAML message is larger than \(limit) bytes"
        case let .malformedBase64(p): return "the \(p) parameter is not valid base64"
        case let .inflateLimitExceeded(limit): return "the compressed SAML message expands to more than \(limit) bytes"
        case let .notDeflated(m): return "the SAMLRequest of an HTTP-Redirect request must be raw DEFLATE data (saml-bindings §3.4.4.1): \(m)"
        case let .notXML(m): return "the SAML message is not well-formed XML: \(m)"
        case .doctypeForbidden: return "the SAML message contains a DOCTYPE declaration, which is not accepted"
        case let .tooDeep(limit): return "the SAML message nests elements deeper than \(limit)"
        case let .relayStateTooLong(bytes): return "RelayState is \(bytes) bytes; SAML allows at most 80 (saml-bindings §3.4.3)"
        case let .unexpectedMessage(expected, found): return "expected a \(expected), got <\(found)>"
        case let .unsupportedVersion(v): return "SAML version \"\(v)\" is not supported; only 2.0 is"
        case let .missingAttribute(e, a): return "\(e) has no \(a) attribute"
        case let .invalidAttribute(e, a, v): return "\(e) \(a)=\"\(v)\" is not valid"
        case let .missingElement(e): return "the request has no \(e)"
        case let .unsupportedElement(e): return "\(e) is not supported"
        case .missingIssuer: return "the request has no saml:Issuer naming the service provider"
        case let .unknownIssuer(i): return "no service provider is registered with entity ID \"\(i)\""
        case let .issuerNotSAML(i): return "the service provider \"\(i)\" is not registered for SAML"
        case .signatureRequired: return "this service provider must sign its requests, and the request is not signed"
        case let .noSigningCertificate(id): return "signed requests are required from \(id), but no signing certificate is registered for it"
        case let .signatureInvalid(m): return "the request's signature is not valid: \(m)"
        case let .signatureAlgorithmNotAllowed(a): return "signature algorithm \(a) is not accepted (use RSA-SHA256, RSA-SHA512 or ECDSA-SHA256)"
        case let .wrongDestination(d): return "Destination \"\(d)\" is not this identity provider's endpoint"
        case .missingDestination: return "a signed request must carry a Destination (saml-bindings §3.4.5.2)"
        case let .expired(t): return "the request was issued at \(t), too long ago (check the service provider's clock)"
        case let .notYetValid(t): return "the request claims to be issued at \(t), in the future (check the service provider's clock)"
        case let .unregisteredACS(u): return "AssertionConsumerServiceURL \"\(u)\" is not registered for this service provider"
        case let .unregisteredACSIndex(i): return "AssertionConsumerServiceIndex \(i) is not registered for this service provider"
        case .acsURLAndIndexBoth: return "the request gives both AssertionConsumerServiceURL and AssertionConsumerServiceIndex; saml-core §3.4.1 allows one"
        case let .noDefaultACS(id): return "\(id) has no assertion consumer service with the HTTP-POST binding"
        case let .unsupportedProtocolBinding(b): return "ProtocolBinding \(b) is not supported; responses are sent with HTTP-POST"
        case let .unsupportedNameIDPolicy(f): return "NameIDPolicy Format \(f) is not the format configured for this service provider"
        case let .unsupportedAuthnContext(c, refs): return "RequestedAuthnContext (\(c): \(refs.joined(separator: ", "))) cannot be met; the store authenticates with a password over HTTPS"
        }
    }

    /// Maps an XML parse failure to what the partner should hear.
    static func parsing(_ error: XMLSecurityError) -> SAMLRequestError {
        switch error {
        case .doctypeForbidden: return .doctypeForbidden
        case let .tooLarge(limit): return .messageTooLarge(limit: limit)
        case let .tooDeep(limit): return .tooDeep(limit: limit)
        case let .malformed(m): return .notXML(m)
        default: return .notXML(error.description)
        }
    }
}
