import XMLSecurity

/// Bounds on incoming messages, checked before any signature: they cap the
/// work an anonymous sender can cause.
public struct SAMLMessageLimits: Sendable, Equatable {
    /// Largest accepted base64 text of SAMLRequest/SAMLResponse (bytes).
    public var maxEncodedBytes: Int
    /// Largest accepted inflated HTTP-Redirect message (bytes); defeats deflate bombs.
    public var maxInflatedBytes: Int
    /// Parser limits for the XML itself.
    public var xml: XMLParseLimits

    public init(maxEncodedBytes: Int = 1 << 20, maxInflatedBytes: Int = 1 << 20, xml: XMLParseLimits = .default) {
        self.maxEncodedBytes = maxEncodedBytes
        self.maxInflatedBytes = maxInflatedBytes
        self.xml = xml
    }

    /// 1 MiB encoded, 1 MiB inflated, XML 1 MiB and depth 64.
    public static let `default` = SAMLMessageLimits()
}
