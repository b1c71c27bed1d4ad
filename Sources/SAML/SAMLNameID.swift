import StoreIdPCore

/// A `saml:NameID` (saml-core §2.2.3): the subject's name at this service
/// provider. Persistent and transient identifiers carry SPNameQualifier, the
/// SP they were issued for (saml-core §8.3.7, §8.3.8).
public struct SAMLNameID: Sendable, Hashable, Codable {
    /// The NameID StoreIdP issues to a service provider: `value` in the SP's format, with
    /// SPNameQualifier exactly when the format is qualified by the SP
    /// (`NameIDFormat.isQualifiedBySP`). Assertions and LogoutRequests both build it here, so the
    /// NameID a LogoutRequest names is the one the assertion carried (saml-profiles §4.4.4.1).
    public static func issued(_ value: String, to settings: ServiceProvider.SAMLSettings) -> SAMLNameID {
        SAMLNameID(value: value, format: settings.nameIDFormat.rawValue,
                   spNameQualifier: settings.nameIDFormat.isQualifiedBySP ? settings.entityID : nil)
    }

    public var value: String
    /// A format URI (saml-core §8.3); nil means unspecified.
    public var format: String?
    public var nameQualifier: String?
    public var spNameQualifier: String?

    public init(value: String, format: String?, nameQualifier: String? = nil, spNameQualifier: String? = nil) {
        self.value = value
        self.format = format
        self.nameQualifier = nameQualifier
        self.spNameQualifier = spNameQualifier
    }
}
