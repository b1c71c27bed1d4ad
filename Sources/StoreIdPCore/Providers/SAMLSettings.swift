import Foundation

extension ServiceProvider {
    /// How one SAML service provider is answered. Checked when registered
    /// (`ServiceProviderValidator`), never when a customer arrives.
    public struct SAMLSettings: Sendable, Hashable, Codable {
        /// saml-bindings §3.4 and §3.5.
        public enum Binding: String, Sendable, Hashable, Codable, CaseIterable {
            case httpPOST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
            case httpRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        }

        /// An IndexedEndpointType (saml-metadata §2.2.3) or, for SLO, an EndpointType.
        public struct Endpoint: Sendable, Hashable, Codable {
            public var url: String
            public var binding: Binding
            public var index: Int
            public var isDefault: Bool
            public var responseURL: String?

            public init(url: String, binding: Binding = .httpPOST, index: Int = 0, isDefault: Bool = false, responseURL: String? = nil) {
                self.url = url
                self.binding = binding
                self.index = index
                self.isDefault = isDefault
                self.responseURL = responseURL
            }
        }

        /// saml-core §8.3.
        public enum NameIDFormat: String, Sendable, Hashable, Codable, CaseIterable {
            case email = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
            case persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
            case transient = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
            case unspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"

            /// Whether a NameID of this format names the SP it was issued for in SPNameQualifier.
            /// Persistent and transient identifiers are opaque and per-SP (saml-core §8.3.7,
            /// §8.3.8), so they carry it; an email address or an unspecified value is the same at
            /// every SP and carries none. The one place this rule lives: the assertion and every
            /// LogoutRequest naming that NameID read it here.
            public var isQualifiedBySP: Bool { self == .persistent || self == .transient }
        }

        public enum SignaturePlacement: String, Sendable, Hashable, Codable, CaseIterable {
            case response, assertion, both
            public var signsResponse: Bool { self != .assertion }
            public var signsAssertion: Bool { self != .response }
        }

        /// Block cipher of an EncryptedAssertion (xmlenc-core1 §5.2).
        public enum AssertionEncryption: String, Sendable, Hashable, Codable, CaseIterable {
            case aes256GCM = "aes256-gcm"
            case aes128CBC = "aes128-cbc"
        }

        /// saml-core §2.7.3.1 NameFormat of each Attribute.
        public enum AttributeNameFormat: String, Sendable, Hashable, Codable, CaseIterable {
            case uri = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
            case basic = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
            case unspecified = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
        }

        /// xmldsig-more §2.3 signature methods we sign with (our keys are RSA).
        public enum SignatureAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
            case rsaSHA256 = "rsa-sha256"
            case rsaSHA512 = "rsa-sha512"
        }

        public var entityID: String
        public var assertionConsumerServices: [Endpoint]
        public var singleLogoutServices: [Endpoint]
        /// PEM certificates that verify the SP's signed requests.
        public var signingCertificates: [String]
        /// PEM certificates we encrypt assertions to (the first one is used).
        public var encryptionCertificates: [String]
        public var nameIDFormat: NameIDFormat
        public var signing: SignaturePlacement
        public var encryption: AssertionEncryption?
        /// True: AuthnRequests from this SP without a valid signature are refused.
        public var wantAuthnRequestsSigned: Bool
        public var attributeNameFormat: AttributeNameFormat
        public var signatureAlgorithm: SignatureAlgorithm

        public init(entityID: String, assertionConsumerServices: [Endpoint], singleLogoutServices: [Endpoint] = [],
                    signingCertificates: [String] = [], encryptionCertificates: [String] = [],
                    nameIDFormat: NameIDFormat = .email, signing: SignaturePlacement = .response,
                    encryption: AssertionEncryption? = nil, wantAuthnRequestsSigned: Bool = false,
                    attributeNameFormat: AttributeNameFormat = .basic, signatureAlgorithm: SignatureAlgorithm = .rsaSHA256) {
            self.entityID = entityID
            self.assertionConsumerServices = assertionConsumerServices
            self.singleLogoutServices = singleLogoutServices
            self.signingCertificates = signingCertificates
            self.encryptionCertificates = encryptionCertificates
            self.nameIDFormat = nameIDFormat
            self.signing = signing
            self.encryption = encryption
            self.wantAuthnRequestsSigned = wantAuthnRequestsSigned
            self.attributeNameFormat = attributeNameFormat
            self.signatureAlgorithm = signatureAlgorithm
        }

        /// The ACS used when a request names none (IdP-initiated, or an AuthnRequest without
        /// AssertionConsumerServiceURL/Index): the one marked isDefault, else the lowest index
        /// (saml-metadata §2.2.3).
        public var defaultAssertionConsumerService: Endpoint? {
            let posts = assertionConsumerServices.filter { $0.binding == .httpPOST }
            return posts.first { $0.isDefault } ?? posts.min { $0.index < $1.index }
        }
    }
}
