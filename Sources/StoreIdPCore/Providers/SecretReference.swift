import Foundation

/// A secret named, never written, in the providers file: an environment variable or a file.
/// Resolved when the provider is applied (to check it) and again when it is used, so a rotated
/// secret takes effect without re-applying.
public enum SecretReference: Sendable, Hashable, Codable {
    case environment(String)
    case file(String)

    public enum ResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
        case missing(String)
        public var description: String {
            switch self {
            case let .missing(what): return "\(what) is not set"
            }
        }
    }

    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ResolutionError) -> Data {
        switch self {
        case let .environment(name):
            guard let value = environment[name], !value.isEmpty else { throw .missing("environment variable \(name)") }
            return Data(value.utf8)
        case let .file(path):
            guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { throw .missing("secret file \(path)") }
            var trimmed = data
            while let last = trimmed.last, last == 0x0A || last == 0x0D { trimmed.removeLast() }
            return trimmed
        }
    }

    public var label: String {
        switch self {
        case let .environment(name): return "$\(name)"
        case let .file(path): return path
        }
    }
}
