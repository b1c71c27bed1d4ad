/// A `saml:NameID` (saml-core §2.2.3): the subject's name at this service
/// provider. Persistent and transient identifiers carry SPNameQualifier, the
/// SP they were issued for (saml-core §8.3.7, §8.3.8).
public struct SAMLNameID: Sendable, Hashable, Codable {
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
