import Foundation

/// The providers file of `storeidp providers apply FILE.yml`, as written (DESIGN.md §Interfaces).
/// Certificate and metadata files are named relative to the providers file. Secrets are named by
/// environment variable or file, never written inline. Unknown keys are refused so a typo does
/// not silently become a default. A file may list providers, storefronts, or both.
public struct ProvidersFile: Decodable, Sendable {
    public var providers: [Entry]
    /// Who may mint launch tokens (see `StorefrontRegistration`); nil when the file has no list.
    public var storefronts: [StorefrontEntry]?

    enum CodingKeys: String, CodingKey, CaseIterable { case providers, storefronts }

    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        providers = try container.decodeIfPresent([Entry].self, forKey: .providers) ?? []
        storefronts = try container.decodeIfPresent([StorefrontEntry].self, forKey: .storefronts)
    }

    /// One `storefronts:` entry as written: `issuer`, one of `secret_env` | `secret_file` |
    /// `public_key`, and `trusted_fields`.
    public struct StorefrontEntry: Decodable, Sendable {
        public var issuer: String
        public var secretEnv: String?
        public var secretFile: String?
        public var publicKey: String?
        public var trustedFields: [String]?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case issuer, secretEnv = "secret_env", secretFile = "secret_file", publicKey = "public_key", trustedFields = "trusted_fields"
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            issuer = try container.decode(String.self, forKey: .issuer)
            secretEnv = try container.decodeIfPresent(String.self, forKey: .secretEnv)
            secretFile = try container.decodeIfPresent(String.self, forKey: .secretFile)
            publicKey = try container.decodeIfPresent(String.self, forKey: .publicKey)
            trustedFields = try container.decodeIfPresent([String].self, forKey: .trustedFields)
        }
    }

    public struct Entry: Decodable, Sendable {
        public var slug: String
        public var name: String?
        public var description: String?
        public var logoURL: String?
        public var protocolKind: String
        public var lifetimeSeconds: Int?
        public var audience: String?
        public var access: Access?
        public var attributes: OrderedMapping?
        public var attributePreset: String?
        public var storefrontReturnURL: String?
        public var saml: SAML?
        public var jwt: JWT?
        public var bigcommerce: BigCommerce?
        public var oidc: OIDC?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case slug, name, description, logoURL = "logo_url", protocolKind = "protocol", lifetimeSeconds = "lifetime_seconds"
            case audience, access, attributes, attributePreset = "attribute_preset", storefrontReturnURL = "storefront_return_url", saml
            case jwt, bigcommerce, oidc
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            slug = try container.decode(String.self, forKey: .slug)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            description = try container.decodeIfPresent(String.self, forKey: .description)
            logoURL = try container.decodeIfPresent(String.self, forKey: .logoURL)
            protocolKind = try container.decode(String.self, forKey: .protocolKind)
            lifetimeSeconds = try container.decodeIfPresent(Int.self, forKey: .lifetimeSeconds)
            audience = try container.decodeIfPresent(String.self, forKey: .audience)
            access = try container.decodeIfPresent(Access.self, forKey: .access)
            attributes = try container.decodeIfPresent(OrderedMapping.self, forKey: .attributes)
            attributePreset = try container.decodeIfPresent(String.self, forKey: .attributePreset)
            storefrontReturnURL = try container.decodeIfPresent(String.self, forKey: .storefrontReturnURL)
            saml = try container.decodeIfPresent(SAML.self, forKey: .saml)
            jwt = try container.decodeIfPresent(JWT.self, forKey: .jwt)
            bigcommerce = try container.decodeIfPresent(BigCommerce.self, forKey: .bigcommerce)
            oidc = try container.decodeIfPresent(OIDC.self, forKey: .oidc)
        }
    }

    /// An `oidc:` block as written (see `ServiceProvider.OIDCSettings`).
    public struct OIDC: Decodable, Sendable {
        public var clientID: String
        public var clientSecretEnv: String?
        public var clientSecretFile: String?
        public var redirectURIs: [String]
        public var postLogoutRedirectURIs: [String]?
        public var subject: String?
        public var idTokenAlgorithm: String?
        public var accessTokenLifetimeSeconds: Int?
        public var refreshTokens: Bool?
        public var azureB2CPath: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case clientID = "client_id", clientSecretEnv = "client_secret_env", clientSecretFile = "client_secret_file"
            case redirectURIs = "redirect_uris", postLogoutRedirectURIs = "post_logout_redirect_uris", subject
            case idTokenAlgorithm = "id_token_algorithm", accessTokenLifetimeSeconds = "access_token_lifetime_seconds"
            case refreshTokens = "refresh_tokens", azureB2CPath = "azure_b2c_path"
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            clientID = try container.decode(String.self, forKey: .clientID)
            clientSecretEnv = try container.decodeIfPresent(String.self, forKey: .clientSecretEnv)
            clientSecretFile = try container.decodeIfPresent(String.self, forKey: .clientSecretFile)
            redirectURIs = try container.decode([String].self, forKey: .redirectURIs)
            postLogoutRedirectURIs = try container.decodeIfPresent([String].self, forKey: .postLogoutRedirectURIs)
            subject = try container.decodeIfPresent(String.self, forKey: .subject)
            idTokenAlgorithm = try container.decodeIfPresent(String.self, forKey: .idTokenAlgorithm)
            accessTokenLifetimeSeconds = try container.decodeIfPresent(Int.self, forKey: .accessTokenLifetimeSeconds)
            refreshTokens = try container.decodeIfPresent(Bool.self, forKey: .refreshTokens)
            azureB2CPath = try container.decodeIfPresent(String.self, forKey: .azureB2CPath)
        }
    }

    public struct JWT: Decodable, Sendable {
        public var algorithm: String
        public var secretEnv: String?
        public var secretFile: String?
        public var redirectURL: String
        public var parameter: String?
        public var delivery: String?
        public var subject: String?
        public var claims: [String: String]?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case algorithm, secretEnv = "secret_env", secretFile = "secret_file", redirectURL = "redirect_url"
            case parameter, delivery, subject, claims
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            algorithm = try container.decode(String.self, forKey: .algorithm)
            secretEnv = try container.decodeIfPresent(String.self, forKey: .secretEnv)
            secretFile = try container.decodeIfPresent(String.self, forKey: .secretFile)
            redirectURL = try container.decode(String.self, forKey: .redirectURL)
            parameter = try container.decodeIfPresent(String.self, forKey: .parameter)
            delivery = try container.decodeIfPresent(String.self, forKey: .delivery)
            subject = try container.decodeIfPresent(String.self, forKey: .subject)
            claims = try container.decodeIfPresent([String: String].self, forKey: .claims)
        }
    }

    public struct BigCommerce: Decodable, Sendable {
        public var storeURL: String
        public var storeHash: String
        public var channelID: Int?
        public var clientID: String
        public var clientSecretEnv: String?
        public var clientSecretFile: String?
        public var apiTokenEnv: String?
        public var apiTokenFile: String?
        public var apiURL: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case storeURL = "store_url", storeHash = "store_hash", channelID = "channel_id", clientID = "client_id"
            case clientSecretEnv = "client_secret_env", clientSecretFile = "client_secret_file"
            case apiTokenEnv = "api_token_env", apiTokenFile = "api_token_file", apiURL = "api_url"
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            storeURL = try container.decode(String.self, forKey: .storeURL)
            storeHash = try container.decode(String.self, forKey: .storeHash)
            channelID = try container.decodeIfPresent(Int.self, forKey: .channelID)
            clientID = try container.decode(String.self, forKey: .clientID)
            clientSecretEnv = try container.decodeIfPresent(String.self, forKey: .clientSecretEnv)
            clientSecretFile = try container.decodeIfPresent(String.self, forKey: .clientSecretFile)
            apiTokenEnv = try container.decodeIfPresent(String.self, forKey: .apiTokenEnv)
            apiTokenFile = try container.decodeIfPresent(String.self, forKey: .apiTokenFile)
            apiURL = try container.decodeIfPresent(String.self, forKey: .apiURL)
        }
    }

    public struct Access: Decodable, Sendable {
        public var groups: [String]?
        public var segments: [String]?
        public var companies: [String]?
        public var statuses: [String]?

        enum CodingKeys: String, CodingKey, CaseIterable { case groups, segments, companies, statuses }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            groups = try container.decodeIfPresent([String].self, forKey: .groups)
            segments = try container.decodeIfPresent([String].self, forKey: .segments)
            companies = try container.decodeIfPresent([String].self, forKey: .companies)
            statuses = try container.decodeIfPresent([String].self, forKey: .statuses)
        }
    }

    public struct SAML: Decodable, Sendable {
        public var entityID: String?
        public var acsURLs: [String]?
        public var sloURLs: [String]?
        public var metadata: String?
        public var certificate: String?
        public var encryptionCertificate: String?
        public var nameID: String?
        public var sign: String?
        /// `false`, `true` (AES-256-GCM), `aes256-gcm` or `aes128-cbc`.
        public var encrypt: String?
        public var wantAuthnRequestsSigned: Bool?
        public var attributeNameFormat: String?
        public var signatureAlgorithm: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case entityID = "entity_id", acsURLs = "acs_urls", sloURLs = "slo_urls", metadata, certificate
            case encryptionCertificate = "encryption_certificate", nameID = "name_id", sign, encrypt
            case wantAuthnRequestsSigned = "want_authn_requests_signed", attributeNameFormat = "attribute_name_format"
            case signatureAlgorithm = "signature_algorithm"
        }

        public init(from decoder: any Decoder) throws {
            try StrictKeys.check(decoder, allowed: CodingKeys.allCases.map(\.rawValue))
            let container = try decoder.container(keyedBy: CodingKeys.self)
            entityID = try container.decodeIfPresent(String.self, forKey: .entityID)
            acsURLs = try container.decodeIfPresent([String].self, forKey: .acsURLs)
            sloURLs = try container.decodeIfPresent([String].self, forKey: .sloURLs)
            metadata = try container.decodeIfPresent(String.self, forKey: .metadata)
            certificate = try container.decodeIfPresent(String.self, forKey: .certificate)
            encryptionCertificate = try container.decodeIfPresent(String.self, forKey: .encryptionCertificate)
            nameID = try container.decodeIfPresent(String.self, forKey: .nameID)
            sign = try container.decodeIfPresent(String.self, forKey: .sign)
            if let flag = try? container.decodeIfPresent(Bool.self, forKey: .encrypt) {
                encrypt = flag ? "true" : "false"
            } else {
                encrypt = try container.decodeIfPresent(String.self, forKey: .encrypt)
            }
            wantAuthnRequestsSigned = try container.decodeIfPresent(Bool.self, forKey: .wantAuthnRequestsSigned)
            attributeNameFormat = try container.decodeIfPresent(String.self, forKey: .attributeNameFormat)
            signatureAlgorithm = try container.decodeIfPresent(String.self, forKey: .signatureAlgorithm)
        }
    }

    /// A mapping whose keys keep the order they were written in.
    public struct OrderedMapping: Decodable, Sendable {
        public var pairs: [(String, String)]

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: AnyKey.self)
            pairs = try container.allKeys.map { ($0.stringValue, try container.decode(String.self, forKey: $0)) }
        }
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

enum StrictKeys {
    static func check(_ decoder: any Decoder, allowed: [String]) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [key],
                debugDescription: "unknown key '\(key.stringValue.displaySafePrefix)' (allowed: \(allowed.joined(separator: ", ")))"
            ))
        }
    }
}
