/// Mappings filled with the names a well-known kind of consumer expects; a provider names one
/// (`attribute_preset:`) and may override or add entries under `attributes:`.
public enum MappingPreset: String, Sendable, CaseIterable {
    /// Plain names most SAML SPs' JIT provisioning reads (python3-saml, SimpleSAMLphp examples).
    case samlBasic = "saml-basic"
    /// inetOrgPerson / eduPerson OIDs with NameFormat uri, as Shibboleth SPs expect
    /// (MACE-Dir SAML Attribute Profiles, RFC 4519, RFC 2798).
    case samlURI = "saml-uri"
    /// OpenID Connect standard claims (OpenID Connect Core 1.0 §5.1).
    case oidcStandard = "oidc-standard"
    /// The body of BigCommerce's Customers v3 create request (`POST /v3/customers`).
    case bigcommerceCustomer = "bigcommerce-customer"

    private static let uri = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"

    public var mapping: AttributeMapping {
        func entry(_ name: String, _ source: AttributeSource, friendly: String? = nil, uri: Bool = false) -> AttributeMapping.Entry {
            AttributeMapping.Entry(name: name, expression: .source(source), friendlyName: friendly, nameFormat: uri ? Self.uri : nil)
        }
        switch self {
        case .samlBasic:
            return AttributeMapping([
                entry("email", .customerEmail), entry("firstName", .customerFirstName), entry("lastName", .customerLastName),
            ])
        case .samlURI:
            return AttributeMapping([
                entry("urn:oid:0.9.2342.19200300.100.1.3", .customerEmail, friendly: "mail", uri: true),
                entry("urn:oid:2.5.4.42", .customerFirstName, friendly: "givenName", uri: true),
                entry("urn:oid:2.5.4.4", .customerLastName, friendly: "sn", uri: true),
                entry("urn:oid:2.5.4.20", .customerPhone, friendly: "telephoneNumber", uri: true),
                entry("urn:oid:2.5.4.10", .customerCompanyName, friendly: "o", uri: true),
                entry("urn:oid:1.3.6.1.4.1.5923.1.1.1.10", .customerPairwiseID, friendly: "eduPersonTargetedID", uri: true),
            ])
        case .oidcStandard:
            return AttributeMapping([
                entry("email", .customerEmail), entry("given_name", .customerFirstName), entry("family_name", .customerLastName),
                entry("name", .customerFullName), entry("phone_number", .customerPhone),
            ])
        case .bigcommerceCustomer:
            return AttributeMapping([
                entry("email", .customerEmail), entry("first_name", .customerFirstName), entry("last_name", .customerLastName),
                entry("phone", .customerPhone), entry("company", .customerCompanyName),
            ])
        }
    }
}
