/// Why a providers file (or one provider in it) was refused. `path` names the place in the file,
/// e.g. `providers[1].saml.acs_urls[0]`.
public struct ProviderValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let problem: String

    public init(_ path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
