/// Limits applied by ``XMLDocument/init(parsing:limits:)`` and by decryption.
///
/// SAML messages are small and shallow; the defaults (1 MiB, depth 64) leave
/// room for large attribute statements while bounding the work an attacker
/// can cause before any signature has been checked.
public struct XMLParseLimits: Sendable, Equatable {
    /// Largest accepted input, in bytes.
    public var maxBytes: Int
    /// Deepest accepted element nesting (the root element is depth 1).
    public var maxDepth: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    /// 1 MiB, depth 64.
    public static let `default` = XMLParseLimits()
}
