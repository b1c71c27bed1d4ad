import StoreIdPCore

/// Fresh identifiers and bearer secrets; tests inject a predictable one.
public protocol RandomSource: Sendable {
    /// A SAML ID (saml-core §1.3.4).
    func samlID() -> String
    /// `byteCount` random bytes, base64url.
    func secret(byteCount: Int) -> String
}

/// The system's random generator.
public struct SystemRandomSource: RandomSource {
    public init() {}
    public func samlID() -> String { IdentifierGenerator.samlID() }
    public func secret(byteCount: Int) -> String { IdentifierGenerator.secret(byteCount: byteCount) }
}
