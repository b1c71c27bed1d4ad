import Foundation
import XMLSecurity

/// The HTTP-Redirect signature of a message (saml-bindings §3.4.4.1): the
/// algorithm, the signature bytes, and the exact octets it must cover,
/// `SAMLRequest=…&RelayState=…&SigAlg=…` built from the query string as
/// received (still percent-encoded), never re-encoded.
public struct SAMLRedirectSignature: Sendable, Hashable {
    /// The SigAlg URI, percent-decoded.
    public let algorithmURI: String
    /// The decoded Signature parameter.
    public let signature: Data
    /// The octets the signature covers.
    public let signedOctets: Data
}

/// A SAML message taken off the wire by one of the bindings: the parsed
/// (hardened) document, the RelayState, and for HTTP-Redirect the query
/// signature. Nothing in it is trusted yet; validators read it.
///
/// Not `Sendable`: it holds the libxml2 document, which one task uses at a time.
public struct SAMLInboundMessage {
    public let binding: SAMLBinding
    public let parameter: SAMLMessageParameter
    /// The one tree that is verified and read (never re-parsed elsewhere).
    public let document: XMLDocument
    /// RelayState, decoded; at most 80 bytes.
    public let relayState: String?
    /// The query signature of an HTTP-Redirect message, when it has one.
    public let redirectSignature: SAMLRedirectSignature?

    /// The document element (the message itself).
    public var root: XMLElement {
        // A parsed document always has a root element (cx_doc_parse refuses one without).
        document.rootElement!
    }

    static func parse(_ xml: Data, limits: SAMLMessageLimits) throws(SAMLRequestError) -> XMLDocument {
        do {
            return try XMLDocument(parsing: xml, limits: limits.xml)
        } catch {
            throw SAMLRequestError.parsing(error)
        }
    }
}
