/// A SAML status code URI (saml-core §3.2.2.2). Top-level codes are Success,
/// Requester, Responder and VersionMismatch; the others appear only as a
/// second-level code inside one of them.
public struct SAMLStatusCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    private static func code(_ name: String) -> SAMLStatusCode {
        SAMLStatusCode(rawValue: "urn:oasis:names:tc:SAML:2.0:status:" + name)
    }

    // Top level (saml-core §3.2.2.2).
    public static let success = code("Success")
    /// "The request could not be performed due to an error on the part of the requester."
    public static let requester = code("Requester")
    /// "The request could not be performed due to an error on the part of the SAML responder or SAML authority."
    public static let responder = code("Responder")
    public static let versionMismatch = code("VersionMismatch")

    // Second level (saml-core §3.2.2.2).
    public static let authnFailed = code("AuthnFailed")
    public static let invalidNameIDPolicy = code("InvalidNameIDPolicy")
    public static let noAuthnContext = code("NoAuthnContext")
    public static let noPassive = code("NoPassive")
    public static let requestDenied = code("RequestDenied")
    public static let unsupportedBinding = code("UnsupportedBinding")
    public static let requestUnsupported = code("RequestUnsupported")
    public static let partialLogout = code("PartialLogout")

    /// Whether saml-core allows the code at the top level.
    public var isTopLevel: Bool {
        self == .success || self == .requester || self == .responder || self == .versionMismatch
    }

    public var description: String { rawValue }
}
