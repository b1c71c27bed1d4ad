/// Where a customer goes after signing in: only ever a path on this server.
///
/// An absolute URL, a protocol-relative `//host` path, a backslash (browsers treat `/\host`
/// as `//host`), control characters or an over-long value make the return path fall back to the
/// default, so the login form can never be used as an open redirect (RFC 9700 §4.11).
public struct ReturnPath: Sendable, Hashable, CustomStringConvertible {
    public static let maximumLength = 2048
    public static let home = ReturnPath(unchecked: "/")

    public let path: String

    private init(unchecked path: String) { self.path = path }

    /// The path if it is safe, otherwise nil.
    public init?(_ raw: String?) {
        guard let raw, !raw.isEmpty, raw.utf8.count <= Self.maximumLength,
              raw.hasPrefix("/"), !raw.hasPrefix("//"),
              !raw.contains("\\"),
              !raw.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0.value > 0x7E })
        else { return nil }
        self.path = raw
    }

    /// The safe path, or `home` when the value is missing or unsafe.
    public static func sanitize(_ raw: String?) -> ReturnPath { ReturnPath(raw) ?? .home }

    public var description: String { path }
}
