/// A setting whose value is one of a closed list of names, as the providers file writes them.
/// The list in an error message comes from `allCases`, so it never drifts from what is accepted.
public protocol RegistrationChoice: CaseIterable {
    /// The name the providers file uses for this case.
    var registrationName: String { get }
}

extension RegistrationChoice {
    /// The case named `name`, or an error at `path` listing every accepted name.
    public static func choice(_ name: String, path: String, note: String? = nil) throws(ProviderValidationError) -> Self {
        if let match = allCases.first(where: { $0.registrationName == name }) { return match }
        throw ProviderValidationError(path, "'\(name.displaySafePrefix)' is not one of \(names)" + (note.map { " (\($0))" } ?? ""))
    }

    /// Every accepted name, comma-separated.
    public static var names: String { allCases.map(\.registrationName).joined(separator: ", ") }
}

extension RegistrationChoice where Self: RawRepresentable, RawValue == String {
    public var registrationName: String { rawValue }
}

extension ServiceProvider.ProtocolKind: RegistrationChoice {}
extension ServiceProvider.SAMLSettings.SignaturePlacement: RegistrationChoice {}
extension ServiceProvider.SAMLSettings.SignatureAlgorithm: RegistrationChoice {}
extension ServiceProvider.JWTSettings.Algorithm: RegistrationChoice {}
extension ServiceProvider.JWTSettings.Delivery: RegistrationChoice {}
extension ServiceProvider.JWTSettings.Subject: RegistrationChoice {}
extension MappingPreset: RegistrationChoice {}

extension ServiceProvider.SAMLSettings.NameIDFormat: RegistrationChoice {
    public var registrationName: String {
        switch self {
        case .email: return "email"
        case .persistent: return "persistent"
        case .transient: return "transient"
        case .unspecified: return "unspecified"
        }
    }
}

extension ServiceProvider.SAMLSettings.AttributeNameFormat: RegistrationChoice {
    public var registrationName: String {
        switch self {
        case .uri: return "uri"
        case .basic: return "basic"
        case .unspecified: return "unspecified"
        }
    }
}

extension Customer.Status: RegistrationChoice {}
