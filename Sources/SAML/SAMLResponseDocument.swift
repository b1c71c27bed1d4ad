import Foundation

/// A built, signed `samlp:Response` and the facts the server records about it
/// (audit row, replay-safe logging) without reading the XML back.
public struct SAMLResponseDocument: Sendable, Hashable {
    /// The serialized XML, ready for the HTTP-POST binding.
    public let xml: Data
    public let responseID: String
    /// nil for an error response (no assertion).
    public let assertionID: String?
    /// When the assertion stops being valid; nil for an error response.
    public let notOnOrAfter: Date?

    /// The value of the `SAMLResponse` form field (saml-bindings §3.5.4).
    public var base64Encoded: String { xml.base64EncodedString() }
}
