import Foundation

/// Turns the `storefronts:` list of a providers file into validated `Storefront`s, with the same
/// error style as `ServiceProviderRegistration` (`storefronts[0].secret_env: …`). Every rule is
/// checked here, when an admin registers a storefront, not when a customer clicks a launch link.
public struct StorefrontRegistration: Sendable {
    public let baseDirectory: URL
    /// Where `secret_env` secrets are looked up when a storefront is applied.
    public let environment: [String: String]

    public static let maximumIssuerBytes = 2048
    public static let maximumKeyFileBytes = 1 << 16

    public init(baseDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.baseDirectory = baseDirectory
        self.environment = environment
    }

    /// Every storefront of the file, or the first problem found.
    public func storefronts(from file: ProvidersFile) throws(ProviderValidationError) -> [Storefront] {
        var seenIssuers: [String: Int] = [:]
        var result: [Storefront] = []
        for (index, entry) in (file.storefronts ?? []).enumerated() {
            let path = "storefronts[\(index)]"
            let storefront = try self.storefront(from: entry, path: path)
            if let first = seenIssuers[storefront.issuer] {
                throw ProviderValidationError("\(path).issuer", "'\(storefront.issuer.displaySafePrefix)' is already used by storefronts[\(first)]")
            }
            seenIssuers[storefront.issuer] = index
            result.append(storefront)
        }
        return result
    }

    public func storefront(from entry: ProvidersFile.StorefrontEntry, path: String) throws(ProviderValidationError) -> Storefront {
        try ServiceProviderRegistration.checkText(entry.issuer, path: "\(path).issuer", limit: Self.maximumIssuerBytes)
        let key: Storefront.VerificationKey
        switch (entry.secretEnv, entry.secretFile, entry.publicKey) {
        case let (name?, nil, nil):
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else {
                throw ProviderValidationError("\(path).secret_env", "'\(name.displaySafePrefix)' is not an environment variable name (A-Z, 0-9, _)")
            }
            key = try checkedSecret(.environment(name), path: "\(path).secret_env")
        case let (nil, file?, nil):
            key = try checkedSecret(.file(file.hasPrefix("/") ? file : baseDirectory.appendingPathComponent(file).path), path: "\(path).secret_file")
        case let (nil, nil, file?):
            key = try publicKey(file, path: "\(path).public_key")
        case (nil, nil, nil):
            throw ProviderValidationError("\(path).secret_env", "a storefront needs secret_env or secret_file (HS256) or public_key (RS256, ES256)")
        default:
            throw ProviderValidationError("\(path).secret_env", "give one of secret_env, secret_file or public_key")
        }
        var trusted: Set<Storefront.TrustedField> = []
        for (index, name) in (entry.trustedFields ?? []).enumerated() {
            guard let field = Storefront.TrustedField(rawValue: name) else {
                throw ProviderValidationError("\(path).trusted_fields[\(index)]", "'\(name.displaySafePrefix)' is not one of \(Storefront.TrustedField.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            trusted.insert(field)
        }
        return Storefront(issuer: entry.issuer, key: key, trustedFields: trusted)
    }

    private func checkedSecret(_ reference: SecretReference, path: String) throws(ProviderValidationError) -> Storefront.VerificationKey {
        let bytes: Data
        do { bytes = try reference.resolve(environment: environment) } catch {
            throw ProviderValidationError(path, error.description)
        }
        guard bytes.count >= Storefront.minimumSecretBytes else {
            throw ProviderValidationError(path, "the HS256 secret in \(reference.label) is \(bytes.count) bytes; at least \(Storefront.minimumSecretBytes) are needed (RFC 7518 §3.2)")
        }
        return .hs256(reference)
    }

    private func publicKey(_ name: String, path: String) throws(ProviderValidationError) -> Storefront.VerificationKey {
        let url = name.hasPrefix("/") ? URL(fileURLWithPath: name) : baseDirectory.appendingPathComponent(name)
        let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue
        guard let size, let data = FileManager.default.contents(atPath: url.path) else {
            throw ProviderValidationError(path, "cannot read '\(url.path)'")
        }
        guard size <= Self.maximumKeyFileBytes else { throw ProviderValidationError(path, "'\(url.path)' is larger than 64 KiB") }
        guard let pem = String(data: data, encoding: .utf8) else {
            throw ProviderValidationError(path, "'\(name.displaySafePrefix)' is not a PEM file")
        }
        do { return try Storefront.VerificationKey.publicKey(pem: pem) } catch {
            throw ProviderValidationError(path, "'\(name.displaySafePrefix)': \(error.description)")
        }
    }
}
