/// Why a token could not be issued, in words an admin can act on.
public enum JWTIssueError: Error, Sendable, Equatable, CustomStringConvertible {
    case noActiveKey(String)
    case secretUnavailable(String)
    case keyMismatch(String)
    case notConfigured(String)

    public var description: String {
        switch self {
        case let .noActiveKey(algorithm): return "there is no active \(algorithm) signing key (run `storeidp keys rotate`)"
        case let .secretUnavailable(what): return "the shared secret is unavailable: \(what)"
        case let .keyMismatch(what): return what
        case let .notConfigured(slug): return "service provider \(slug) has no JWT settings"
        }
    }
}
