import Foundation
import SAML

/// The parameters of an OAuth request, read from a query string or an
/// `application/x-www-form-urlencoded` body (RFC 6749 Appendix B). Bounded, and every name is
/// kept once: "Request and response parameters MUST NOT be included more than once" (RFC 6749
/// §3.1, §3.2), so a repeated one is remembered and refused by the flows.
public struct OAuthParameters: Sendable, Equatable {
    public static let maximumCount = 64
    public static let maximumBytes = 16 * 1024

    public private(set) var values: [String: String] = [:]
    /// Names given more than once.
    public private(set) var repeated: Set<String> = []
    /// True when the text was not valid form encoding or was too large.
    public private(set) var malformed = false

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// Parses `a=1&b=2`, with `+` as space and percent-escapes as UTF-8.
    public init(formEncoded text: String?) {
        guard let text, !text.isEmpty else { return }
        guard text.utf8.count <= Self.maximumBytes else { malformed = true; return }
        var count = 0
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            count += 1
            guard count <= Self.maximumCount else { malformed = true; return }
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else { malformed = true; return }
            // RFC 6749 §3.1: parameters sent without a value are treated as omitted.
            if value.isEmpty { continue }
            if values[name] != nil { repeated.insert(name) }
            values[name] = value
        }
    }

    public subscript(name: String) -> String? { values[name] }

    /// One `application/x-www-form-urlencoded` name or value: `+` is a space, then percent-decoding.
    static func decode(_ text: Substring) -> String? {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding
    }

    /// `base` with `parameters` added to its query (RFC 6749 §3.1.2: an existing query is kept),
    /// every value form-encoded.
    public static func url(_ base: String, adding parameters: [(String, String)]) -> String {
        let encoded = parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        guard !encoded.isEmpty else { return base }
        return base + (base.contains("?") ? "&" : "?") + encoded
    }

    /// Percent-encodes all but RFC 3986 §2.3 unreserved characters.
    public static func encode(_ text: String) -> String { SAMLEncoding.percentEncode(text) }
}
