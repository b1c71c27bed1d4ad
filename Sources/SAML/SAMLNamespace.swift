/// Namespace URIs and the prefixes StoreIdP writes them with (saml-core §1.2,
/// saml-metadata §1.1, xmldsig-core §1.3, xmlenc-core §1.3).
public enum SAMLNamespace {
    /// `samlp:` — requests and responses (saml-core §3).
    public static let `protocol` = "urn:oasis:names:tc:SAML:2.0:protocol"
    /// `saml:` — assertions (saml-core §2).
    public static let assertion = "urn:oasis:names:tc:SAML:2.0:assertion"
    /// `md:` — metadata (saml-metadata §2).
    public static let metadata = "urn:oasis:names:tc:SAML:2.0:metadata"
    /// `ds:` — XML Signature (xmldsig-core §4).
    public static let ds = "http://www.w3.org/2000/09/xmldsig#"
    /// `xenc:` — XML Encryption (xmlenc-core §3).
    public static let xenc = "http://www.w3.org/2001/04/xmlenc#"
    /// `xs:` — XML Schema datatypes, for `xsi:type="xs:string"` (saml-core §2.7.3.1.1).
    public static let xs = "http://www.w3.org/2001/XMLSchema"
    /// `xsi:` — XML Schema instance.
    public static let xsi = "http://www.w3.org/2001/XMLSchema-instance"

    /// The prefixes used when StoreIdP builds XML.
    public enum Prefix {
        public static let `protocol` = "samlp"
        public static let assertion = "saml"
        public static let metadata = "md"
        public static let ds = "ds"
        public static let xs = "xs"
        public static let xsi = "xsi"
    }

    /// The protocol support enumeration of SAML 2.0 roles (saml-metadata §2.4.1).
    public static let protocolSupportEnumeration = SAMLNamespace.protocol

    /// `Version` of every SAML 2.0 message (saml-core §3.2.1).
    public static let version = "2.0"

    /// Issuer Format "entity" (saml-core §8.3.6), the only one allowed for a
    /// request's Issuer (saml-profiles §4.1.4.1).
    public static let entityNameIDFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"

    /// The bearer subject confirmation method (saml-profiles §3.3).
    public static let bearerConfirmation = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
}
