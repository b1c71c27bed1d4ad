import Foundation

/// The inputs StoreIdP takes from outside, one per fuzz target, chosen at start-up with
/// `STOREIDP_FUZZ_TARGET` (libFuzzer runs one function per process; Tests/Fuzz/run.sh runs each).
enum FuzzTarget: String, CaseIterable, Sendable {
    case authnRedirect = "authn-redirect"
    case authnPost = "authn-post"
    case logout = "logout"
    case launchToken = "launch-token"
    case providersFile = "providers-file"
    case spMetadata = "sp-metadata"
    case customerCSV = "customer-csv"
    case customerJSONL = "customer-jsonl"
    case oidcAuthorize = "oidc-authorize"
    case oidcToken = "oidc-token"

    /// The target named by `STOREIDP_FUZZ_TARGET`; stops the process with the list when it names none.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["STOREIDP_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("STOREIDP_FUZZ_TARGET must be one of: \(names) (got '\(name)')\n".utf8))
            exit(2)
        }
        return target
    }()

    /// Feeds one input through the target and says, in a line, what became of it (the replay
    /// prints it). Every outcome but a trap is fine: refusing the input is what most inputs
    /// should get.
    @discardableResult
    func run(_ input: Data) -> String {
        switch self {
        case .authnRedirect: return AuthnRedirectTarget.run(input)
        case .authnPost: return AuthnPostTarget.run(input)
        case .logout: return LogoutTarget.run(input)
        case .launchToken: return LaunchTokenTarget.run(input)
        case .providersFile: return ProvidersFileTarget.run(input)
        case .spMetadata: return SPMetadataTarget.run(input)
        case .customerCSV: return CustomerCSVTarget.run(input)
        case .customerJSONL: return CustomerJSONLTarget.run(input)
        case .oidcAuthorize: return OIDCAuthorizeTarget.run(input)
        case .oidcToken: return OIDCTokenTarget.run(input)
        }
    }
}
