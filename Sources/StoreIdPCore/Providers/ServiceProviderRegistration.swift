import Foundation
import X509

/// Turns a providers file into validated `ServiceProvider`s: every rule is checked here, when an
/// admin registers a partner, so that nothing is found wrong when a customer arrives.
public struct ServiceProviderRegistration: Sendable {
    /// Reads SAML SP metadata (saml-metadata §2.4.4 SPSSODescriptor) into settings; supplied by
    /// the SAML module, which owns XML.
    public typealias MetadataReader = @Sendable (_ xml: Data, _ path: String) throws(ProviderValidationError) -> ServiceProvider.SAMLSettings

    public let baseDirectory: URL
    public let readMetadata: MetadataReader
    /// Where `*_env` secrets are looked up when a provider is applied.
    public let environment: [String: String]
    /// Whether the entry may name files on this machine (`certificate: sp.crt`, `metadata:`,
    /// `*_file`). True for a providers file an operator applies; false for the admin API, where
    /// a request must not make the server read its own files. `files` are named files the
    /// request brought with it (an uploaded metadata document).
    public var allowsFiles = true
    public var files: [String: Data] = [:]

    public static let slugPattern = "lower-case letters, digits and '-' (1 to 64), starting with a letter or digit"
    public static let maximumFileBytes = 1 << 20

    public init(baseDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment, readMetadata: @escaping MetadataReader) {
        self.baseDirectory = baseDirectory
        self.environment = environment
        self.readMetadata = readMetadata
    }

    /// Every provider of the file, or the first problem found (nothing is written on a problem).
    public func providers(from file: ProvidersFile) throws(ProviderValidationError) -> [ServiceProvider] {
        var result: [(provider: ServiceProvider, name: String)] = []
        for (index, entry) in file.providers.enumerated() {
            let path = "providers[\(index)]"
            let provider = try self.provider(from: entry, path: path)
            try Self.checkConflicts(provider, path: path, with: result)
            result.append((provider, path))
        }
        return result.map(\.provider)
    }

    /// What two registered providers may not share: the slug, the SAML entity ID, the OIDC client
    /// id and B2C path, and a JWT audience equal to an OIDC client id (a JWT partner's tokens
    /// would look like that client's ID tokens, RFC 8725 §3.12). `others` are named as the error
    /// should name them (`providers[0]`, or `'warranty'` for a stored one).
    public static func checkConflicts(_ provider: ServiceProvider, path: String,
                                      with others: [(provider: ServiceProvider, name: String)]) throws(ProviderValidationError) {
        for (other, name) in others {
            if other.slug == provider.slug {
                throw ProviderValidationError("\(path).slug", "'\(provider.slug)' is already used by \(name)")
            }
            if let entityID = provider.saml?.entityID, other.saml?.entityID == entityID {
                throw ProviderValidationError("\(path).saml.entity_id", "'\(entityID.displaySafePrefix)' is already used by \(name)")
            }
            if let oidc = provider.oidc {
                if other.oidc?.clientID == oidc.clientID {
                    throw ProviderValidationError("\(path).oidc.client_id", "'\(oidc.clientID.displaySafePrefix)' is already used by \(name)")
                }
                if let b2c = oidc.azureB2CPath, other.oidc?.azureB2CPath == b2c {
                    throw ProviderValidationError("\(path).oidc.azure_b2c_path", "'\(b2c)' is already used by \(name)")
                }
                if other.jwt != nil, other.effectiveAudience == oidc.clientID {
                    throw ProviderValidationError("\(path).oidc.client_id", "'\(oidc.clientID.displaySafePrefix)' is the audience of the JWT partner \(name)")
                }
            }
            if provider.jwt != nil, let clientID = other.oidc?.clientID, clientID == provider.effectiveAudience {
                throw ProviderValidationError("\(path).audience", "'\(clientID.displaySafePrefix)' is the client id of the OIDC client \(name)")
            }
        }
    }

    public func provider(from entry: ProvidersFile.Entry, path: String) throws(ProviderValidationError) -> ServiceProvider {
        let slug = entry.slug
        guard Self.isValidSlug(slug) else {
            throw ProviderValidationError("\(path).slug", "'\(slug.displaySafePrefix)' must be \(Self.slugPattern)")
        }
        let kind = try ServiceProvider.ProtocolKind.choice(entry.protocolKind, path: "\(path).protocol")
        let lifetime = entry.lifetimeSeconds ?? ServiceProvider.defaultLifetime
        guard ServiceProvider.lifetimeRange.contains(lifetime) else {
            throw ProviderValidationError("\(path).lifetime_seconds", "\(lifetime) is outside \(ServiceProvider.lifetimeRange.lowerBound)…\(ServiceProvider.lifetimeRange.upperBound)")
        }
        let name = entry.name?.trimmingWhitespace() ?? slug
        try Self.checkText(name, path: "\(path).name", limit: 200)
        if let description = entry.description { try Self.checkText(description, path: "\(path).description", limit: 1000) }
        if let logo = entry.logoURL { try Self.checkURL(logo, path: "\(path).logo_url", requireHTTPS: true) }
        if let back = entry.storefrontReturnURL { try Self.checkURL(back, path: "\(path).storefront_return_url", requireHTTPS: true) }
        if let audience = entry.audience { try Self.checkText(audience, path: "\(path).audience", limit: 1024) }

        let settings: ServiceProvider.ProtocolSettings
        switch kind {
        case .saml:
            guard let saml = entry.saml else { throw ProviderValidationError("\(path).saml", "a saml provider needs a saml: block") }
            settings = .saml(try samlSettings(saml, path: "\(path).saml"))
        case .jwt:
            guard let jwt = entry.jwt else { throw ProviderValidationError("\(path).jwt", "a jwt provider needs a jwt: block") }
            settings = .jwt(try jwtSettings(jwt, path: "\(path).jwt"))
        case .bigcommerce:
            guard let bigcommerce = entry.bigcommerce else { throw ProviderValidationError("\(path).bigcommerce", "a bigcommerce provider needs a bigcommerce: block") }
            settings = .bigcommerce(try bigCommerceSettings(bigcommerce, path: "\(path).bigcommerce"))
        case .oidc:
            guard let oidc = entry.oidc else { throw ProviderValidationError("\(path).oidc", "an oidc provider needs an oidc: block") }
            settings = .oidc(try oidcSettings(oidc, path: "\(path).oidc"))
        }
        let defaultPreset: MappingPreset? = switch kind {
        case .bigcommerce: .bigcommerceCustomer
        case .oidc: .oidcStandard
        case .saml, .jwt: nil
        }
        let provider = ServiceProvider(
            slug: slug, name: name, settings: settings, lifetimeSeconds: lifetime, audience: entry.audience,
            access: try access(entry.access, path: "\(path).access"),
            attributes: try mapping(entry.attributes, preset: entry.attributePreset ?? defaultPreset?.rawValue, path: path),
            description: entry.description, logoURL: entry.logoURL, storefrontReturnURL: entry.storefrontReturnURL
        )
        for (block, present) in [("saml", entry.saml != nil), ("jwt", entry.jwt != nil), ("bigcommerce", entry.bigcommerce != nil), ("oidc", entry.oidc != nil)] where present && block != kind.rawValue {
            throw ProviderValidationError("\(path).\(block)", "a \(kind.rawValue) provider takes no \(block): block")
        }
        return provider
    }

    func access(_ access: ProvidersFile.Access?, path: String) throws(ProviderValidationError) -> AccessPolicy {
        guard let access else { return AccessPolicy() }
        var statuses: [Customer.Status]?
        if let raw = access.statuses {
            statuses = []
            for (index, value) in raw.enumerated() {
                statuses?.append(try Customer.Status.choice(value, path: "\(path).statuses[\(index)]"))
            }
        }
        for (key, list) in [("groups", access.groups), ("segments", access.segments), ("companies", access.companies)] {
            if let list, list.isEmpty {
                throw ProviderValidationError("\(path).\(key)", "an empty list would let nobody in; remove the key to allow everyone")
            }
        }
        return AccessPolicy(groups: access.groups, segments: access.segments, companies: access.companies, statuses: statuses)
    }

    func mapping(_ attributes: ProvidersFile.OrderedMapping?, preset: String?, path: String) throws(ProviderValidationError) -> AttributeMapping {
        var base = AttributeMapping.standard
        if let preset {
            base = try MappingPreset.choice(preset, path: "\(path).attribute_preset").mapping
        }
        guard let attributes else { return base }
        guard attributes.pairs.count <= 100 else { throw ProviderValidationError("\(path).attributes", "at most 100 attributes") }
        var entries: [AttributeMapping.Entry] = []
        for (name, text) in attributes.pairs {
            guard !name.isEmpty, name.utf8.count <= 256, !name.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) else {
                throw ProviderValidationError("\(path).attributes.\(name.displaySafePrefix)", "attribute names are 1 to 256 characters without spaces or control characters")
            }
            do {
                entries.append(.init(name: name, expression: try MappingExpression(parsing: text)))
            } catch {
                throw ProviderValidationError("\(path).attributes.\(name)", "\(error.description) in '\(text.displaySafePrefix)'")
            }
        }
        // With a preset the entries override it; without one they are the whole mapping.
        return preset == nil ? AttributeMapping(entries) : base.overridden(by: entries)
    }

    func samlSettings(_ saml: ProvidersFile.SAML, path: String) throws(ProviderValidationError) -> ServiceProvider.SAMLSettings {
        var settings: ServiceProvider.SAMLSettings
        if let metadataPath = saml.metadata {
            let data = try readFile(metadataPath, path: "\(path).metadata")
            settings = try readMetadata(data, "\(path).metadata")
            if let entityID = saml.entityID, entityID != settings.entityID {
                throw ProviderValidationError("\(path).entity_id", "'\(entityID)' differs from the metadata's entityID '\(settings.entityID)'")
            }
        } else {
            guard let entityID = saml.entityID, !entityID.isEmpty else {
                throw ProviderValidationError("\(path).entity_id", "needed when no metadata file is given")
            }
            guard let urls = saml.acsURLs, !urls.isEmpty else {
                throw ProviderValidationError("\(path).acs_urls", "at least one assertion consumer service URL is needed")
            }
            settings = ServiceProvider.SAMLSettings(
                entityID: entityID,
                assertionConsumerServices: urls.enumerated().map { .init(url: $1, binding: .httpPOST, index: $0, isDefault: $0 == 0) }
            )
        }
        if let slo = saml.sloURLs {
            settings.singleLogoutServices = slo.map { .init(url: $0, binding: .httpRedirect) }
        }
        try Self.checkText(settings.entityID, path: "\(path).entity_id", limit: 1024)
        for (index, endpoint) in settings.assertionConsumerServices.enumerated() {
            try Self.checkURL(endpoint.url, path: "\(path).acs_urls[\(index)]", requireHTTPS: true)
        }
        guard settings.defaultAssertionConsumerService != nil else {
            throw ProviderValidationError("\(path).acs_urls", "no assertion consumer service with the HTTP-POST binding")
        }
        let indexes = settings.assertionConsumerServices.map(\.index)
        if Set(indexes).count != indexes.count {
            throw ProviderValidationError("\(path).acs_urls", "two assertion consumer services share an index")
        }
        for (index, endpoint) in settings.singleLogoutServices.enumerated() {
            try Self.checkURL(endpoint.url, path: "\(path).slo_urls[\(index)]", requireHTTPS: true)
        }
        if let certificatePath = saml.certificate {
            let pem = try certificatePEM(certificatePath, path: "\(path).certificate")
            settings.signingCertificates = [pem]
            settings.encryptionCertificates = [pem]
        }
        if let encryptionPath = saml.encryptionCertificate {
            settings.encryptionCertificates = [try certificatePEM(encryptionPath, path: "\(path).encryption_certificate")]
        }
        for (index, pem) in (settings.signingCertificates + settings.encryptionCertificates).enumerated() {
            try Self.checkCertificate(pem, path: "\(path).certificate[\(index)]")
        }
        if let nameID = saml.nameID {
            // `emailAddress` is the format's own name in saml-core §8.3.2; accepted as a synonym.
            settings.nameIDFormat = nameID == "emailAddress" ? .email : try ServiceProvider.SAMLSettings.NameIDFormat.choice(nameID, path: "\(path).name_id")
        }
        if let sign = saml.sign {
            settings.signing = try ServiceProvider.SAMLSettings.SignaturePlacement.choice(sign, path: "\(path).sign")
        }
        switch saml.encrypt {
        case nil, "false": break
        case "true": settings.encryption = .aes256GCM
        case let value?:
            guard let cipher = ServiceProvider.SAMLSettings.AssertionEncryption(rawValue: value) else {
                let names = (["false", "true"] + ServiceProvider.SAMLSettings.AssertionEncryption.allCases.map(\.rawValue)).joined(separator: ", ")
                throw ProviderValidationError("\(path).encrypt", "'\(value.displaySafePrefix)' is not one of \(names)")
            }
            settings.encryption = cipher
        }
        if settings.encryption != nil, settings.encryptionCertificates.isEmpty {
            throw ProviderValidationError("\(path).encrypt", "encryption needs the SP's certificate (certificate: or metadata with a KeyDescriptor)")
        }
        if let wants = saml.wantAuthnRequestsSigned { settings.wantAuthnRequestsSigned = wants }
        if settings.wantAuthnRequestsSigned, settings.signingCertificates.isEmpty {
            throw ProviderValidationError("\(path).want_authn_requests_signed", "checking request signatures needs the SP's certificate")
        }
        if let format = saml.attributeNameFormat {
            settings.attributeNameFormat = try ServiceProvider.SAMLSettings.AttributeNameFormat.choice(format, path: "\(path).attribute_name_format")
        }
        if let algorithm = saml.signatureAlgorithm {
            settings.signatureAlgorithm = try ServiceProvider.SAMLSettings.SignatureAlgorithm.choice(algorithm, path: "\(path).signature_algorithm")
        }
        return settings
    }

    func jwtSettings(_ jwt: ProvidersFile.JWT, path: String) throws(ProviderValidationError) -> ServiceProvider.JWTSettings {
        let algorithm = try ServiceProvider.JWTSettings.Algorithm.choice(jwt.algorithm, path: "\(path).algorithm", note: "never none: RFC 8725 §3.1")
        try Self.checkURL(jwt.redirectURL, path: "\(path).redirect_url", requireHTTPS: true)
        var settings = ServiceProvider.JWTSettings(algorithm: algorithm, redirectURL: jwt.redirectURL)
        let secret = try secretReference(env: jwt.secretEnv, file: jwt.secretFile, path: path, key: "secret")
        if algorithm.isSymmetric {
            guard let secret else { throw ProviderValidationError("\(path).secret_env", "\(algorithm.rawValue) needs a shared secret (secret_env or secret_file)") }
            let bytes = try resolve(secret, path: path, key: "secret")
            guard bytes.count >= algorithm.minimumSecretBytes else {
                throw ProviderValidationError("\(path).secret_env", "the \(algorithm.rawValue) secret in \(secret.label) is \(bytes.count) bytes; at least \(algorithm.minimumSecretBytes) are needed (RFC 7518 §3.2)")
            }
            settings.secret = secret
        } else if secret != nil {
            throw ProviderValidationError("\(path).secret_env", "\(algorithm.rawValue) signs with StoreIdP's own keys; a shared secret is not used")
        }
        if let parameter = jwt.parameter {
            guard (1...64).contains(parameter.count), parameter.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw ProviderValidationError("\(path).parameter", "'\(parameter.displaySafePrefix)' must be 1 to 64 letters, digits, '_' or '-'")
            }
            settings.parameter = parameter
        }
        if let delivery = jwt.delivery {
            settings.delivery = try ServiceProvider.JWTSettings.Delivery.choice(delivery, path: "\(path).delivery")
        }
        if let subject = jwt.subject {
            settings.subject = try ServiceProvider.JWTSettings.Subject.choice(subject, path: "\(path).subject")
        }
        let reserved: Set<String> = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti"]
        for (name, value) in jwt.claims ?? [:] {
            guard !reserved.contains(name) else { throw ProviderValidationError("\(path).claims.\(name)", "\(name) is set by StoreIdP and cannot be overridden") }
            try Self.checkText(name, path: "\(path).claims", limit: 128)
            try Self.checkText(value, path: "\(path).claims.\(name)", limit: 1024)
        }
        settings.extraClaims = jwt.claims ?? [:]
        return settings
    }

    func bigCommerceSettings(_ block: ProvidersFile.BigCommerce, path: String) throws(ProviderValidationError) -> ServiceProvider.BigCommerceSettings {
        try Self.checkURL(block.storeURL, path: "\(path).store_url", requireHTTPS: true)
        guard (1...64).contains(block.storeHash.count), block.storeHash.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) else {
            throw ProviderValidationError("\(path).store_hash", "'\(block.storeHash.displaySafePrefix)' must be lower-case letters and digits")
        }
        try Self.checkText(block.clientID, path: "\(path).client_id", limit: 256)
        if let channel = block.channelID, channel < 1 { throw ProviderValidationError("\(path).channel_id", "must be a positive integer") }
        let apiURL = block.apiURL ?? ServiceProvider.BigCommerceSettings.defaultAPIURL
        try Self.checkURL(apiURL, path: "\(path).api_url", requireHTTPS: true)
        guard let clientSecret = try secretReference(env: block.clientSecretEnv, file: block.clientSecretFile, path: path, key: "client_secret") else {
            throw ProviderValidationError("\(path).client_secret_env", "the app's client secret is needed (client_secret_env or client_secret_file)")
        }
        guard let apiToken = try secretReference(env: block.apiTokenEnv, file: block.apiTokenFile, path: path, key: "api_token") else {
            throw ProviderValidationError("\(path).api_token_env", "an API token is needed (api_token_env or api_token_file)")
        }
        let secretBytes = try resolve(clientSecret, path: path, key: "client_secret")
        guard secretBytes.count >= 32 else {
            throw ProviderValidationError("\(path).client_secret_env", "the client secret in \(clientSecret.label) is \(secretBytes.count) bytes; HS256 needs at least 32 (RFC 7518 §3.2)")
        }
        _ = try resolve(apiToken, path: path, key: "api_token")
        return ServiceProvider.BigCommerceSettings(storeURL: block.storeURL.hasSuffix("/") ? String(block.storeURL.dropLast()) : block.storeURL,
                                                   storeHash: block.storeHash, channelID: block.channelID, clientID: block.clientID,
                                                   clientSecret: clientSecret, apiToken: apiToken, apiURL: apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL)
    }

    /// The `oidc:` block (OpenID Connect Core 1.0 §3.1.2.1; RFC 9700 §2.1, §4.1.3).
    func oidcSettings(_ block: ProvidersFile.OIDC, path: String) throws(ProviderValidationError) -> ServiceProvider.OIDCSettings {
        // RFC 6749 §2.3.1 sends the client id form-encoded in HTTP Basic; printable ASCII without
        // spaces keeps it the same string in every encoding a client may use.
        guard (1...128).contains(block.clientID.utf8.count),
              block.clientID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != ":" }) else {
            throw ProviderValidationError("\(path).client_id", "'\(block.clientID.displaySafePrefix)' must be 1 to 128 printable ASCII characters without spaces or ':'")
        }
        let secret = try secretReference(env: block.clientSecretEnv, file: block.clientSecretFile, path: path, key: "client_secret")
        if let secret {
            let bytes = try resolve(secret, path: path, key: "client_secret")
            guard bytes.count >= ServiceProvider.OIDCSettings.minimumSecretBytes else {
                throw ProviderValidationError("\(path).client_secret_env", "the client secret in \(secret.label) is \(bytes.count) bytes; at least \(ServiceProvider.OIDCSettings.minimumSecretBytes) are needed")
            }
        }
        guard !block.redirectURIs.isEmpty, block.redirectURIs.count <= 20 else {
            throw ProviderValidationError("\(path).redirect_uris", "1 to 20 redirect URIs are needed")
        }
        for (index, uri) in block.redirectURIs.enumerated() {
            try Self.checkURL(uri, path: "\(path).redirect_uris[\(index)]", requireHTTPS: true)
        }
        let logoutURIs = block.postLogoutRedirectURIs ?? []
        guard logoutURIs.count <= 20 else { throw ProviderValidationError("\(path).post_logout_redirect_uris", "at most 20") }
        for (index, uri) in logoutURIs.enumerated() {
            try Self.checkURL(uri, path: "\(path).post_logout_redirect_uris[\(index)]", requireHTTPS: true)
        }
        var settings = ServiceProvider.OIDCSettings(clientID: block.clientID, clientSecret: secret, redirectURIs: block.redirectURIs,
                                                    postLogoutRedirectURIs: logoutURIs)
        if let subject = block.subject {
            settings.subject = try ServiceProvider.OIDCSettings.Subject.choice(subject, path: "\(path).subject")
        }
        if let algorithm = block.idTokenAlgorithm {
            settings.idTokenAlgorithm = try ServiceProvider.OIDCSettings.Algorithm.choice(algorithm, path: "\(path).id_token_algorithm")
        }
        if let lifetime = block.accessTokenLifetimeSeconds {
            let range = ServiceProvider.OIDCSettings.accessTokenLifetimeRange
            guard range.contains(lifetime) else {
                throw ProviderValidationError("\(path).access_token_lifetime_seconds", "\(lifetime) is outside \(range.lowerBound)…\(range.upperBound)")
            }
            settings.accessTokenLifetimeSeconds = lifetime
        }
        settings.refreshTokens = block.refreshTokens ?? false
        if let b2c = block.azureB2CPath {
            guard Self.isValidSlug(b2c) else {
                throw ProviderValidationError("\(path).azure_b2c_path", "'\(b2c.displaySafePrefix)' must be \(Self.slugPattern)")
            }
            settings.azureB2CPath = b2c
        }
        return settings
    }

    private func secretReference(env: String?, file: String?, path: String, key: String) throws(ProviderValidationError) -> SecretReference? {
        switch (env, file) {
        case (nil, nil): return nil
        case let (name?, nil):
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else {
                throw ProviderValidationError("\(path).\(key)_env", "'\(name.displaySafePrefix)' is not an environment variable name (A-Z, 0-9, _)")
            }
            return .environment(name)
        case let (nil, file?):
            guard allowsFiles else { throw ProviderValidationError("\(path).\(key)_file", "files cannot be named here; use \(key)_env") }
            return .file(file.hasPrefix("/") ? file : baseDirectory.appendingPathComponent(file).path)
        case (.some, .some):
            throw ProviderValidationError("\(path).\(key)_env", "give \(key)_env or \(key)_file, not both")
        }
    }

    private func resolve(_ reference: SecretReference, path: String, key: String) throws(ProviderValidationError) -> Data {
        do { return try reference.resolve(environment: environment) } catch {
            throw ProviderValidationError("\(path).\(key)_env", error.description)
        }
    }

    private func readFile(_ name: String, path: String) throws(ProviderValidationError) -> Data {
        if let brought = files[name] { return brought }
        guard allowsFiles else {
            throw ProviderValidationError(path, "files on the server cannot be named here; give the certificate as PEM text, or upload metadata")
        }
        let url = name.hasPrefix("/") ? URL(fileURLWithPath: name) : baseDirectory.appendingPathComponent(name)
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let size = (attributes?[.size] as? NSNumber)?.intValue else {
            throw ProviderValidationError(path, "cannot read '\(url.path)'")
        }
        guard size <= Self.maximumFileBytes else { throw ProviderValidationError(path, "'\(url.path)' is larger than 1 MiB") }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ProviderValidationError(path, "cannot read '\(url.path)'")
        }
        return data
    }

    /// A certificate file's PEM, or the PEM itself when the value is one (as the admin API sends it).
    private func certificatePEM(_ name: String, path: String) throws(ProviderValidationError) -> String {
        if name.hasPrefix("-----BEGIN CERTIFICATE-----") {
            guard name.utf8.count <= 64 * 1024 else { throw ProviderValidationError(path, "the PEM is larger than 64 KiB") }
            return name
        }
        let data = try readFile(name, path: path)
        guard let pem = String(data: data, encoding: .utf8), pem.contains("-----BEGIN CERTIFICATE-----") else {
            throw ProviderValidationError(path, "'\(name.displaySafePrefix)' is not a PEM certificate")
        }
        return pem
    }

    static func checkCertificate(_ pem: String, path: String) throws(ProviderValidationError) {
        do {
            _ = try Certificate(pemEncoded: pem)
        } catch {
            throw ProviderValidationError(path, "the certificate cannot be parsed: \(error)")
        }
    }

    public static func isValidSlug(_ slug: String) -> Bool {
        guard (1...64).contains(slug.utf8.count), let first = slug.unicodeScalars.first,
              CharacterSet.lowercaseLetters.contains(first) || CharacterSet.decimalDigits.contains(first) else { return false }
        return slug.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    static func checkText(_ text: String, path: String, limit: Int) throws(ProviderValidationError) {
        guard !text.isEmpty, text.utf8.count <= limit else {
            throw ProviderValidationError(path, "must be 1 to \(limit) bytes")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ProviderValidationError(path, "contains control characters")
        }
    }

    /// `localhost`, `::1`, or an IPv4 literal in 127.0.0.0/8 (RFC 8252 §8.3); not a name that
    /// merely starts with "127.".
    static func isLoopback(host: String) -> Bool {
        if host == "localhost" || host == "[::1]" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { $0.count <= 3 && !$0.isEmpty && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
    }

    /// An absolute http(s) URL without fragment; https unless the host is loopback.
    public static func checkURL(_ text: String, path: String, requireHTTPS: Bool) throws(ProviderValidationError) {
        try checkText(text, path: path, limit: 2048)
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty, components.fragment == nil, components.user == nil else {
            throw ProviderValidationError(path, "'\(text.displaySafePrefix)' is not an absolute URL without fragment")
        }
        let loopback = isLoopback(host: host.lowercased())
        guard scheme == "https" || (scheme == "http" && (loopback || !requireHTTPS)) else {
            throw ProviderValidationError(path, "'\(text.displaySafePrefix)' must use https (plain http only on loopback)")
        }
    }
}
