import Foundation

/// An OAuth 2.0 / OpenID Connect error, as the client receives it: on its redirect URI
/// (RFC 6749 §4.1.2.1; OpenID Connect Core 1.0 §3.1.2.6), as the token endpoint's JSON
/// (RFC 6749 §5.2), or in a `WWW-Authenticate: Bearer` header (RFC 6750 §3.1).
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        case invalidRequest = "invalid_request"
        case unauthorizedClient = "unauthorized_client"
        case accessDenied = "access_denied"
        case unsupportedResponseType = "unsupported_response_type"
        case invalidScope = "invalid_scope"
        case temporarilyUnavailable = "temporarily_unavailable"
        /// OpenID Connect Core 1.0 §3.1.2.6.
        case loginRequired = "login_required"
        case requestNotSupported = "request_not_supported"
        case requestURINotSupported = "request_uri_not_supported"
        /// RFC 6749 §5.2.
        case invalidClient = "invalid_client"
        case invalidGrant = "invalid_grant"
        case unsupportedGrantType = "unsupported_grant_type"
        /// RFC 6750 §3.1.
        case invalidToken = "invalid_token"
        case insufficientScope = "insufficient_scope"
    }

    public let code: Code
    /// Human-readable, ASCII without `"` or `\` (RFC 6749 §5.2 error_description charset).
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = String(message.unicodeScalars.filter { $0.value >= 0x20 && $0.value <= 0x7E && $0 != "\"" && $0 != "\\" }.map(Character.init))
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The HTTP status of a JSON or bearer error: 401 for client and token authentication
    /// (RFC 6749 §5.2, RFC 6750 §3.1), 403 for scope, 503 when busy, else 400.
    public var httpStatus: Int {
        switch code {
        case .invalidClient, .invalidToken: return 401
        case .insufficientScope: return 403
        case .temporarilyUnavailable: return 503
        default: return 400
        }
    }
}
